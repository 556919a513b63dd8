"""Parameter I/O: exact round trips, names, mismatches, pickles, atomic writes, text format."""

import importlib
import inspect
import os
import pickle
import pkgutil
import zipfile

import dynet as dy
import numpy as np
import pytest

import dynn
import dynn.layers
from dynn import io, registry
from dynn.files import FileFormatError, PickledDataError, read_npz, write_npz
from dynn.layers.base_layers import BaseLayer, ParametrizedLayer
from dynn.layers.recurrent_layers import GRU, LSTM, CoupledLSTM, ElmanRNN, StackedLSTM
from dynn.util import batched_input

# Helpers --------------------------------------------------------------------------------------


def randomize(pc, rng, low=-0.5, high=0.5):
    for param in pc.parameters_list():
        param.set_value(rng.uniform(low, high, param.shape()))
    for param in pc.lookup_parameters_list():
        io._set_value(param, rng.uniform(low, high, param.shape()))


def arrays_equal(a, b):
    assert list(a) == list(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def run_cell(cell, steps=3, batch=2, seed=7):
    """Outputs of a recurrent cell over a fixed random sequence (after new_graph)."""
    rng = np.random.RandomState(seed)
    state = cell.initial_value(batch)
    outputs = []
    for _ in range(steps):
        state = cell(batched_input(rng.uniform(-1, 1, (cell.input_dim, batch))), *state)
        outputs.append(cell.get_output(state).npvalue())
    return outputs


class _Lookup(ParametrizedLayer):
    """A test-only layer with lookup parameters (2-D and 3-D entries) and a bias."""

    def __init__(self, pc, num, dim):
        super().__init__(pc, "lookup")
        self.dim = dim
        self.add_lookup_parameters("E", (num, dim))
        self.add_lookup_parameters("T", (num, 2, dim))
        self.add_parameters("b", dim)

    def __call__(self, ids):
        e = dy.lookup_batch(self.E, ids, update=self.update)
        t = dy.sum_dim(dy.lookup_batch(self.T, ids, update=self.update), [0])
        return e + dy.reshape(t, (self.dim,), batch_size=len(ids)) + self.b


class _Model(BaseLayer):
    """Every recurrent cell and lookup parameters in one model."""

    def __init__(self, pc):
        super().__init__("model")
        self.cells = [
            ElmanRNN(pc, 3, 4),
            LSTM(pc, 3, 4),
            GRU(pc, 3, 4),
            CoupledLSTM(pc, 3, 4),
            StackedLSTM(pc, 2, 3, 4),
        ]
        self.lookup = _Lookup(pc, 5, 3)

    def outputs(self):
        out = [self.lookup([0, 4]).npvalue()]
        for cell in self.cells:
            out += run_cell(cell)
        return out


def model_outputs(model):
    dynn.new_graph(model)
    return model.outputs()


# Round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["name", "layer", "text"])
def test_save_populate_gives_identical_outputs(by, tmp_path, rng):
    pc = dy.ParameterCollection()
    model = _Model(pc)
    randomize(pc, rng)
    expected = model_outputs(model)
    other_pc = dy.ParameterCollection()
    other = _Model(other_pc)  # different random values
    assert not np.array_equal(model_outputs(other)[0], expected[0])
    if by == "name":
        io.populate(other_pc, io.save(pc, tmp_path / "model.npz"))
    elif by == "layer":
        io.populate_layer(other, io.save_layer(model, tmp_path / "model.npz"))
    else:
        io.savetxt(pc, tmp_path / "model.txt")
        io.populate_from_txt(other_pc, tmp_path / "model.txt")
    for got, want in zip(model_outputs(other), expected):
        np.testing.assert_array_equal(got, want)
    arrays_equal(io.collection_arrays(other_pc), io.collection_arrays(pc))


@pytest.mark.parametrize("text", [False, True])
def test_load_rebuilds_names_subcollections_and_values(text, tmp_path, rng):
    pc = dy.ParameterCollection()
    _Model(pc)
    # Unnamed parameters, suffixed names shared by parameters and lookups, unnamed and empty
    # sub-collections, names with spaces.
    pc.add_parameters(2)
    sub = pc.add_subcollection("x")
    pc.add_subcollection("x")  # empty: not in the file, but /x_2/ needs it
    sub2 = pc.add_subcollection("x")
    sub2.add_parameters((2, 2), name="W")
    sub2.add_lookup_parameters((3, 2), name="W")
    sub.add_parameters(1, name="a b")
    pc.add_subcollection().add_lookup_parameters((2, 1, 3))
    randomize(pc, rng)
    if text:
        io.savetxt(pc, tmp_path / "p.txt")
        loaded = io.loadtxt(tmp_path / "p.txt")
    else:
        loaded = io.load(io.save(pc, tmp_path / "p"))
    names = sorted(p.name() for p in pc.parameters_list() + pc.lookup_parameters_list())
    assert "/x_2/W_1" in names and "/_0/_0" in names and "/_0" in names
    assert sorted(p.name() for p in loaded.parameters_list() + loaded.lookup_parameters_list()) == (
        names
    )
    original, copy = io.collection_arrays(pc), io.collection_arrays(loaded)
    assert sorted(original) == sorted(copy)
    for key in original:
        np.testing.assert_array_equal(copy[key], original[key], err_msg=key)


def test_loaded_parameters_can_be_shared_by_layers(tmp_path, rng):
    pc = dy.ParameterCollection()
    lstm = LSTM(pc, 3, 4)
    randomize(pc, rng)
    dynn.new_graph(lstm)
    expected = run_cell(lstm)
    loaded = io.load(io.save(pc, tmp_path / "lstm"))
    params = {p.name().split("/")[-1]: p for p in loaded.parameters_list()}
    shared = LSTM(loaded, 3, 4, Whx=params["Whx"], Whh=params["Whh"], b=params["b"])
    dynn.new_graph(shared)
    for got, want in zip(run_cell(shared), expected):
        np.testing.assert_array_equal(got, want)


def test_subcollection_keys_are_relative(tmp_path, rng):
    pc = dy.ParameterCollection()
    LSTM(pc, 3, 4)
    second = LSTM(pc, 3, 4)  # lives in /lstm_1/
    randomize(pc, rng)
    path = io.save(second.pc, tmp_path / "second")
    assert sorted(read_npz(path)) == [
        "__dynn_parameters__",
        "param:/Whh",
        "param:/Whx",
        "param:/b",
    ]
    target = LSTM(dy.ParameterCollection(), 3, 4)  # lives in /lstm/
    io.populate(target.pc, path)
    arrays_equal(io.layer_arrays(target), io.layer_arrays(second))


def test_save_appends_npz_and_overwrites(tmp_path, rng):
    pc = dy.ParameterCollection()
    param = pc.add_parameters(3)
    assert io.save(pc, tmp_path / "m") == str(tmp_path / "m.npz")
    param.set_value(np.array([1.0, 2.0, 3.0]))
    assert io.save(pc, str(tmp_path / "m.npz")) == str(tmp_path / "m.npz")
    np.testing.assert_array_equal(
        io.load(tmp_path / "m").parameters_list()[0].as_array(), [1, 2, 3]
    )
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]  # no temporary file left


def test_files_store_float32_and_are_compressible(tmp_path):
    pc = dy.ParameterCollection()
    pc.add_lookup_parameters((200, 10), init=dy.ConstInitializer(0.5))
    plain = io.save(pc, tmp_path / "plain")
    small = io.save(pc, tmp_path / "small", compressed=True)
    assert os.path.getsize(small) < os.path.getsize(plain)
    assert read_npz(small)["lookup:/_0"].dtype == np.float32
    with zipfile.ZipFile(small) as archive:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())


# Errors ---------------------------------------------------------------------------------------


def test_mismatch_lists_missing_unexpected_and_shapes_and_changes_nothing(tmp_path, rng):
    pc = dy.ParameterCollection()
    pc.add_parameters((2, 3), name="W")
    pc.add_parameters(3, name="b")
    pc.add_lookup_parameters((4, 2), name="E")
    path = io.save(pc, tmp_path / "saved")
    target = dy.ParameterCollection()
    W = target.add_parameters((3, 2), name="W")  # transposed
    target.add_parameters(3, name="c")  # instead of b
    target.add_parameters(3, name="d")
    target.add_lookup_parameters((4, 2), name="E")
    before = io.collection_arrays(target)
    with pytest.raises(io.ParameterMismatchError) as info:
        io.populate(target, path)
    error = info.value
    assert error.missing == ["param:/c", "param:/d"]
    assert error.unexpected == ["param:/b"]
    assert error.shape_mismatches == [("param:/W", (3, 2), (2, 3))]
    message = str(error)
    assert "missing from" in message and "param:/c, param:/d" in message
    assert "unexpected in" in message and "param:/b" in message
    assert "param:/W: expected (3, 2), found (2, 3)" in message
    arrays_equal(io.collection_arrays(target), before)  # nothing changed
    assert W.shape() == (3, 2)


def test_non_strict_populates_common_names_only(tmp_path, rng):
    pc = dy.ParameterCollection()
    pc.add_parameters(3, name="a", init=dy.ConstInitializer(1.0))
    pc.add_parameters(3, name="b", init=dy.ConstInitializer(2.0))
    path = io.save(pc, tmp_path / "saved")
    target = dy.ParameterCollection()
    a = target.add_parameters(3, name="a", init=dy.ConstInitializer(0.0))
    c = target.add_parameters(3, name="c", init=dy.ConstInitializer(0.0))
    io.populate(target, path, strict=False)
    np.testing.assert_array_equal(a.as_array(), [1, 1, 1])
    np.testing.assert_array_equal(c.as_array(), [0, 0, 0])
    wrong_shape = dy.ParameterCollection()
    wrong_shape.add_parameters(4, name="a")
    with pytest.raises(io.ParameterMismatchError, match="param:/a: expected"):
        io.populate(wrong_shape, path, strict=False)


def test_populate_layer_mismatch_names_the_layer_and_paths(tmp_path):
    path = io.save_layer(StackedLSTM(dy.ParameterCollection(), 2, 3, 4), tmp_path / "s")
    with pytest.raises(io.ParameterMismatchError) as info:
        io.populate_layer(StackedLSTM(dy.ParameterCollection(), 1, 3, 5), path)
    message = str(info.value)
    assert "StackedLSTM" in message
    assert "param:cells.1.Whx" in info.value.unexpected
    assert ("param:cells.0.Whh", (20, 5), (16, 4)) in info.value.shape_mismatches


def test_layer_and_collection_files_are_not_confused(tmp_path):
    lstm = LSTM(dy.ParameterCollection(), 3, 4)
    layer_file = io.save_layer(lstm, tmp_path / "layer")
    collection_file = io.save(lstm.pc, tmp_path / "collection")
    with pytest.raises(FileFormatError, match="keyed by layer path.*populate_layer"):
        io.populate(lstm.pc, layer_file)
    with pytest.raises(FileFormatError, match="keyed by DyNet name"):
        io.populate_layer(lstm, collection_file)
    with pytest.raises(FileFormatError, match="keyed by layer path"):
        io.load(layer_file)


def test_pickled_object_arrays_are_rejected(tmp_path):
    pc = dy.ParameterCollection()
    pc.add_parameters(2, name="W")
    path = str(tmp_path / "evil.npz")
    np.savez(
        path,
        __dynn_parameters__=np.array(["dynn-parameters", "1", "collection"]),
        **{"param:/W": np.array([1.0, 2.0]), "lookup:/E": np.array([{"a": 1}], dtype=object)},
    )
    for action in (lambda: io.populate(pc, path), lambda: io.load(path)):
        with pytest.raises(PickledDataError, match="'lookup:/E' is a pickled \\(object\\) array"):
            action()
    with open(tmp_path / "evil.pkl", "wb") as handle:
        pickle.dump({"param:/W": np.ones(2)}, handle)
    with pytest.raises(PickledDataError, match="refuses to load pickles"):
        io.populate(pc, tmp_path / "evil.pkl")
    with pytest.raises(PickledDataError, match="dtype object"):
        write_npz(tmp_path / "x.npz", {"a": np.array([None])})


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"W": np.ones(2)}, "does not start with 'param:'"),
        ({"param:/W": np.array(["a", "b"])}, "must be real numbers"),
        ({"param:/W": np.ones((0, 2))}, "positive dimensions"),
        ({"param:/W_1": np.ones(2)}, "cannot recreate the parameter '/W_1'"),
        ({"param:/W_0": np.ones(2)}, "not a name DyNet generates"),
        ({"param:W": np.ones(2)}, "not a DyNet parameter name"),
        ({"param:/a/": np.ones(2)}, "not a DyNet parameter name"),
    ],
)
def test_bad_archives_are_rejected(arrays, message, tmp_path):
    path = str(tmp_path / "bad.npz")
    write_npz(path, arrays)
    with pytest.raises(FileFormatError, match=message):
        io.load(path)


def test_not_an_archive_and_wrong_version(tmp_path):
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(FileFormatError, match="not an .npz archive"):
        io.load(tmp_path / "text.npz")
    write_npz(
        tmp_path / "v2.npz", {"__dynn_parameters__": np.array(["dynn-parameters", "2", "layer"])}
    )
    with pytest.raises(FileFormatError, match="version 2 is not supported"):
        io.load(tmp_path / "v2.npz")
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "missing.npz")


def test_type_errors_name_the_function():
    with pytest.raises(TypeError, match="save: pc must be a dy.ParameterCollection"):
        io.save("model.npz", dy.ParameterCollection())
    with pytest.raises(TypeError, match="save_layer: layer must be a dynn layer"):
        io.save_layer(dy.ParameterCollection(), "model.npz")
    with pytest.raises(TypeError, match="write_lines"):
        io.savetxt("notes.txt", ["a", "b"])


# Atomic writes ---------------------------------------------------------------------------------


def test_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    pc = dy.ParameterCollection()
    pc.add_parameters(3, init=dy.ConstInitializer(1.0))
    pc.add_parameters(3, init=dy.ConstInitializer(2.0))
    path = io.save(pc, tmp_path / "m")
    before = open(path, "rb").read()
    calls = []

    def failing_write_array(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # metadata, first parameter, then fail
            raise OSError("disk full")
        return original(*args, **kwargs)

    original = np.lib.format.write_array
    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(OSError, match="disk full"):
        io.save(pc, path)
    monkeypatch.undo()
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["m.npz"]


def test_atomic_write_syncs_before_renaming(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1]
    )
    pc = dy.ParameterCollection()
    pc.add_parameters(3)
    io.save(pc, tmp_path / "m")
    assert events[:2] == ["fsync", "replace"]


# Text format -----------------------------------------------------------------------------------


def test_text_format_is_documented_layout(tmp_path):
    pc = dy.ParameterCollection()
    W = pc.add_parameters((2, 3), name="W")
    W.set_value(np.array([[0.1, 0.2, 0.3], [1.0, -2.5, 3e-8]]))
    E = pc.add_lookup_parameters((2, 1, 2), name="E")
    io._set_value(E, np.array([[[1.0, 2.0]], [[3.0, 4.0]]]))
    io.savetxt(pc, tmp_path / "p.txt")
    lines = (tmp_path / "p.txt").read_text().splitlines()
    assert lines == [
        "# dynn parameters text 1",
        'param "/W" 2 3',
        "0.100000001 0.200000003 0.300000012",
        "1 -2.5 2.99999989e-08",
        'lookup "/E" 2 1 2',
        "1 2",
        "3 4",
    ]
    copy = io.loadtxt(tmp_path / "p.txt")
    arrays_equal(io.collection_arrays(copy), io.collection_arrays(pc))


@pytest.mark.parametrize(
    "content, message",
    [
        ("hello\n", "not a dynn parameter text file.*read_lines"),
        ('# dynn parameters text 1\nweight "/W" 2\n1 2\n', "line 2: expected 'param' or 'lookup'"),
        ("# dynn parameters text 1\nparam /W 2\n1 2\n", "line 2: expected '<kind>"),
        ('# dynn parameters text 1\nparam "/W" 2\n1 2 3\n', "line 3: param:/W: expected 2 values"),
        ('# dynn parameters text 1\nparam "/W" 2 2\n1 2\n', "param:/W ends early"),
        ('# dynn parameters text 1\nparam "/W" 2\n1 x\n', "values must be numbers"),
        ('# dynn parameters text 1\nparam "/W" 0\n', "positive dimensions"),
        ('# dynn parameters text 1\nparam "/W" 1\n1\nparam "/W" 1\n2\n', "appears twice"),
    ],
)
def test_bad_text_files(content, message, tmp_path):
    (tmp_path / "p.txt").write_text(content)
    with pytest.raises(FileFormatError, match=message):
        io.loadtxt(tmp_path / "p.txt")


def test_read_and_write_lines(tmp_path):
    io.write_lines(tmp_path / "l.txt", ["a b", "c"])
    assert io.read_lines(tmp_path / "l.txt") == ["a b", "c"]


# Files of the original dynn --------------------------------------------------------------------


def test_reads_original_dynn_archives(tmp_path):
    path = str(tmp_path / "old.npz")
    np.savez(
        path,
        _param_names_=np.array(["/lstm/Whx\tparam", "/embed/E\tlookup"]),
        param_0=np.arange(6.0).reshape(2, 3),
        param_1=np.arange(4.0).reshape(2, 2),
    )
    loaded = io.load(path)
    arrays = io.collection_arrays(loaded)
    np.testing.assert_array_equal(arrays["param:/lstm/Whx"], np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(arrays["lookup:/embed/E"], np.arange(4.0).reshape(2, 2))


# Every parametrised layer of dynn.layers round-trips --------------------------------------------


def _input(shape, batch=2, seed=7):
    return batched_input(np.random.RandomState(seed).uniform(-1, 1, tuple(shape) + (batch,)))


def _cell_case(factory):
    return lambda pc: (lambda cell: (cell, lambda: run_cell(cell)))(factory(pc))


def _call_case(factory, *shapes, **call_kwargs):
    def case(pc):
        layer = factory(pc)
        return layer, lambda: _values(layer(*[_input(s, seed=i) for i, s in enumerate(shapes)]))

    return case


def _values(output):
    if isinstance(output, dy.Expression):
        return [output.npvalue()]
    if output is None:
        return []
    values = []
    for item in output:
        values += _values(item)
    return values


def _sequence_case(factory, dim=3, steps=3):
    def case(pc):
        layer = factory(pc)
        return layer, lambda: _values(layer([_input((dim,), seed=i) for i in range(steps)]))

    return case


def _layer_module(name):
    return importlib.import_module(f"dynn.layers.{name}")


def _functional():
    return _layer_module("functional_layers")


def _affine(pc, input_dim, output_dim):
    return _layer_module("dense_layers").Affine(pc, input_dim, output_dim)


def _model_module(name):
    return importlib.import_module(f"dynn.models.{name}")


def _word_encoder(pc, chars=True):
    layers = importlib.import_module("dynn.layers")
    if not chars:
        return _model_module("word_encoder").WordEncoder(layers.Embeddings(pc, 9, 4))
    return _model_module("word_encoder").WordEncoder(
        layers.Embeddings(pc, 9, 2),
        char_embeddings=layers.Embeddings(pc, 7, 3),
        char_encoder=layers.Bidirectional(LSTM(pc, 3, 1), GRU(pc, 3, 1)),
    )


def _bilstm(pc, input_dim):
    return _layer_module("transduction_layers").Bidirectional(
        LSTM(pc, input_dim, 3), LSTM(pc, input_dim, 2)
    )


_WORDS = [[2, 3, 4], [5, 6]]
_CHARS = [[[1, 2], [3], [4, 5, 6]], [[2], [3, 3]]]


def _model_case(factory, call):
    def case(pc):
        model = factory(pc)
        return model, lambda: _values(call(model))

    return case


# One entry per registered layer class that holds (or may hold) parameters: a function building
# it in a collection and returning (layer, run), run() giving its outputs on fixed inputs.
CASES = {
    "ElmanRNN": _cell_case(lambda pc: ElmanRNN(pc, 3, 4)),
    "LSTM": _cell_case(lambda pc: LSTM(pc, 3, 4)),
    "GRU": _cell_case(lambda pc: GRU(pc, 3, 4)),
    "CoupledLSTM": _cell_case(lambda pc: CoupledLSTM(pc, 3, 4)),
    "StackedLSTM": _cell_case(lambda pc: StackedLSTM(pc, 2, 3, 4)),
    "StackedRecurrentCells": _cell_case(
        lambda pc: dynn.layers.StackedRecurrentCells(GRU(pc, 3, 4), ElmanRNN(pc, 4, 3))
    ),
    "SRU": _cell_case(lambda pc: _layer_module("recurrent_layers").SRU(pc, 3, 4)),
    "Affine": _call_case(lambda pc: _layer_module("dense_layers").Affine(pc, 3, 4), (3,)),
    "GatedLayer": _call_case(lambda pc: _layer_module("dense_layers").GatedLayer(pc, 3, 4), (3,)),
    "Embeddings": lambda pc: (lambda layer: (layer, lambda: _values(layer([0, 3, 4]))))(
        _layer_module("embedding_layers").Embeddings(pc, 5, 3)
    ),
    "MLPAttention": _call_case(
        lambda pc: _layer_module("attention_layers").MLPAttention(pc, 2, 3, 4),
        (2,),
        (3, 5),
        (4, 5),
    ),
    "BilinearAttention": _call_case(
        lambda pc: _layer_module("attention_layers").BilinearAttention(pc, 2, 3),
        (2,),
        (3, 5),
        (4, 5),
    ),
    "MultiHeadAttention": _call_case(
        lambda pc: _layer_module("attention_layers").MultiHeadAttention(pc, 2, 2, 3, 4, 6, 5),
        (2, 3),
        (3, 5),
        (4, 5),
    ),
    "Conv1D": _call_case(
        lambda pc: _layer_module("convolution_layers").Conv1D(pc, 3, 4, 2), (6, 3)
    ),
    "Conv2D": _call_case(
        lambda pc: _layer_module("convolution_layers").Conv2D(pc, 2, 3, (2, 2)), (4, 5, 2)
    ),
    "Transformer": _call_case(
        lambda pc: _layer_module("transformer_layers").Transformer(pc, 4, 6, 2), (4, 3)
    ),
    "StackedTransformers": _call_case(
        lambda pc: _layer_module("transformer_layers").StackedTransformers(pc, 2, 4, 6, 2), (4, 3)
    ),
    "CondTransformer": _call_case(
        lambda pc: _layer_module("transformer_layers").CondTransformer(pc, 4, 6, 3, 2),
        (4, 3),
        (3, 5),
    ),
    "StackedCondTransformers": _call_case(
        lambda pc: _layer_module("transformer_layers").StackedCondTransformers(pc, 2, 4, 6, 3, 2),
        (4, 3),
        (3, 5),
    ),
    "LayerNorm": _call_case(
        lambda pc: _layer_module("normalization_layers").LayerNorm(pc, 4), (4,)
    ),
    "BatchNorm": _call_case(
        lambda pc: _layer_module("normalization_layers").BatchNorm(pc, 4), (4,)
    ),
    "Sequential": _call_case(
        lambda pc: _layer_module("combination_layers").Sequential(
            _affine(pc, 3, 4), _affine(pc, 4, 2)
        ),
        (3,),
    ),
    "Parallel": _call_case(
        lambda pc: _layer_module("combination_layers").Parallel(
            _affine(pc, 3, 4), _affine(pc, 3, 2)
        ),
        (3,),
    ),
    "Residual": _call_case(
        lambda pc: _layer_module("residual_layers").Residual(_affine(pc, 3, 3)), (3,)
    ),
    "UnaryOpLayer": _call_case(
        lambda pc: _functional().UnaryOpLayer(_affine(pc, 3, 2), dy.tanh), (3,)
    ),
    "NegationLayer": _call_case(lambda pc: _functional().NegationLayer(_affine(pc, 3, 2)), (3,)),
    "BinaryOpLayer": _call_case(
        lambda pc: _functional().BinaryOpLayer(_affine(pc, 3, 2), _affine(pc, 3, 2), dy.cmult),
        (3,),
    ),
    **{
        name: _call_case(
            lambda pc, name=name: getattr(_functional(), name)(
                _affine(pc, 3, 2), _affine(pc, 3, 2)
            ),
            (3,),
        )
        for name in ("AdditionLayer", "SubtractionLayer", "SubstractionLayer", "CmultLayer")
    },
    "Transduction": _sequence_case(
        lambda pc: _layer_module("transduction_layers").Transduction(_affine(pc, 3, 2))
    ),
    "Unidirectional": _sequence_case(
        lambda pc: _layer_module("transduction_layers").Unidirectional(LSTM(pc, 3, 4))
    ),
    "Bidirectional": _sequence_case(
        lambda pc: _layer_module("transduction_layers").Bidirectional(LSTM(pc, 3, 4), GRU(pc, 3, 2))
    ),
    "WordEncoder": _model_case(_word_encoder, lambda m: m(_WORDS, _CHARS)),
    "Tagger": _model_case(
        lambda pc: _model_module("tagger").Tagger(
            _word_encoder(pc), _bilstm(pc, 4), _affine(pc, 5, 3)
        ),
        lambda m: m.scores(
            [
                _model_module("tagger").TaggedSentence(w, c, [0] * len(w))
                for w, c in zip(_WORDS, _CHARS)
            ]
        ),
    ),
    "SentenceClassifier": _model_case(
        lambda pc: _model_module("classifier").SentenceClassifier(
            _word_encoder(pc, chars=False), _bilstm(pc, 4), _affine(pc, 5, 2)
        ),
        lambda m: m.scores(
            [_model_module("classifier").LabelledSentence(w, None, 0) for w in _WORDS]
        ),
    ),
    "RNNLanguageModel": _model_case(
        lambda pc: _model_module("language_model").RNNLanguageModel(
            importlib.import_module("dynn.layers").Embeddings(pc, 9, 4),
            LSTM(pc, 4, 3),
            _affine(pc, 3, 9),
        ),
        lambda m: [m.loss([[0, 3, 4, 2], [0, 5, 2]])[0]],
    ),
}

# Registered layer classes that hold no parameters (checked: their constructors take neither a
# parameter collection nor layers), and abstract bases.
WITHOUT_PARAMETERS = {
    "ParametrizedLayer",
    "ConstantLayer",
    "IdentityLayer",
    "Lambda",
    "Flatten",
    "MaxPool1D",
    "MeanPool1D",
    "MaxPool2D",
    "SequenceMaskingLayer",
}


def registered_layer_classes():
    for module in pkgutil.iter_modules(dynn.layers.__path__):
        importlib.import_module(f"dynn.layers.{module.name}")
    return {
        name: cls
        for name, cls in registry.registered(
            lambda c: isinstance(c, type) and issubclass(c, BaseLayer)
        ).items()
        if cls.__module__.startswith("dynn.")
    }


def test_every_registered_layer_is_covered():
    classes = registered_layer_classes()
    uncovered = sorted(set(classes) - set(CASES) - WITHOUT_PARAMETERS)
    assert uncovered == [], (
        f"add a case for {uncovered} to CASES in tests/test_io.py (or, if they hold no "
        f"parameters, to WITHOUT_PARAMETERS)"
    )


@pytest.mark.parametrize("name", sorted(WITHOUT_PARAMETERS - {"ParametrizedLayer"}))
def test_layers_declared_without_parameters_cannot_hold_any(name):
    cls = registered_layer_classes().get(name)
    if cls is None:
        pytest.skip(f"{name} is not defined (yet)")
    for argument in inspect.signature(cls.__init__).parameters.values():
        assert argument.name != "pc", f"{name} takes a parameter collection"
        annotation = argument.annotation
        assert not (isinstance(annotation, type) and issubclass(annotation, BaseLayer)), (
            f"{name} takes a layer ({argument.name}): give it a case in CASES"
        )


@pytest.mark.parametrize("name", sorted(set(registered_layer_classes()) & set(CASES)))
def test_every_layer_round_trips(name, tmp_path, rng):
    pc = dy.ParameterCollection()
    layer, run = CASES[name](pc)
    randomize(pc, rng, low=0.05, high=0.5)  # positive: BatchNorm's running variance
    assert list(layer.iter_parameters()), f"{name} has no parameters"
    dynn.new_graph(layer)
    expected = run()
    assert expected and all(np.all(np.isfinite(value)) for value in expected)
    layer_file = io.save_layer(layer, tmp_path / "layer")
    collection_file = io.save(pc, tmp_path / "collection", compressed=True)
    for populate, path in [(io.populate_layer, layer_file), (io.populate, collection_file)]:
        other_pc = dy.ParameterCollection()
        other, other_run = CASES[name](other_pc)
        randomize(other_pc, np.random.RandomState(99))
        populate(other if populate is io.populate_layer else other_pc, path)
        dynn.new_graph(other)
        outputs = other_run()
        assert len(outputs) == len(expected)
        for got, want in zip(outputs, expected):
            np.testing.assert_array_equal(got, want)
    loaded = io.load(collection_file)
    arrays_equal(
        dict(sorted(io.collection_arrays(loaded).items())),
        dict(sorted(io.collection_arrays(pc).items())),
    )
