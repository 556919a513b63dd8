"""check_recurrent_cell and check_layer: correct cells pass, each deliberately broken cell fails
the check that covers its fault, with a message that points to it."""

import dynet as dy
import numpy as np
import pytest

from dynn import registry
from dynn.layers.base_layers import ParametrizedLayer
from dynn.layers.dense_layers import Affine
from dynn.layers.recurrent_layers import LSTM, ElmanState, RecurrentCell
from dynn.testing import (
    LAYER_CHECKS,
    RECURRENT_CELL_CHECKS,
    CheckReport,
    check_layer,
    check_recurrent_cell,
)
from dynn.testing import checks as checks_module

IN, HID = 3, 4


class _Tiny(ParametrizedLayer, RecurrentCell):
    """A correct Elman-style cell: h' = tanh(W x + U h + b), dropout on x and h."""

    state_type = ElmanState

    def __init__(self, pc, input_dim=IN, hidden_dim=HID, dropout=0.0):
        super().__init__(pc, "tiny")
        self.input_dim, self.hidden_dim = input_dim, hidden_dim
        self.add_parameters("W", (hidden_dim, input_dim))
        self.add_parameters("U", (hidden_dim, hidden_dim))
        self.add_parameters("b", hidden_dim)
        self._declare_dropout(dropout_x=(dropout, input_dim), dropout_h=(dropout, hidden_dim))

    def _inputs(self, x, h):
        if self._dropout_active:
            batch_size = max(x.dim()[1], h.dim()[1])
            x = self._dropped("dropout_x", x, batch_size)
            h = self._dropped("dropout_h", h, batch_size)
        return x, h

    def __call__(self, x, h):
        x, h = self._inputs(x, h)
        return ElmanState(dy.tanh(dy.affine_transform([self.b, self.W, x, self.U, h])))


# One broken cell per check --------------------------------------------------------------------
class _WrongStateDims(_Tiny):
    """Returns [h'; x] as its new state: the state grows by input_dim."""

    def __call__(self, x, h):
        h_new = dy.tanh(dy.affine_transform([self.b, self.W, x, self.U, h]))
        return ElmanState(dy.concatenate([h_new, x]))


class _MixesBatch(_Tiny):
    """Subtracts the batch mean of W x (a batch-norm-like bug)."""

    def __call__(self, x, h):
        wx = self.W * x
        return ElmanState(dy.tanh(wx - dy.mean_batches(wx) + self.U * h + self.b))


class _NoisyInTestMode(_Tiny):
    """Applies dropout whatever the mode."""

    def __call__(self, x, h):
        return ElmanState(
            dy.tanh(dy.affine_transform([self.b, self.W, dy.dropout(x, 0.5), self.U, h]))
        )


class _SharedMask(_Tiny):
    """Draws one mask for the whole batch (no batch_size in random_bernoulli)."""

    def initial_value(self, batch_size=1):
        if not self.test:
            self._mask = dy.random_bernoulli(self.input_dim, 0.5, 2.0)
        return super().initial_value(batch_size)

    def __call__(self, x, h):
        if not self.test:
            x = dy.cmult(x, self._mask)
        return ElmanState(dy.tanh(dy.affine_transform([self.b, self.W, x, self.U, h])))


class _MaskPerStep(_Tiny):
    """Standard (non-variational) dropout: a new mask at every step."""

    def __call__(self, x, h):
        if not self.test:
            x = dy.dropout(x, 0.5)
        return ElmanState(dy.tanh(dy.affine_transform([self.b, self.W, x, self.U, h])))


class _MaskPerGraph(_Tiny):
    """Draws the masks once per graph (in init), so every sequence of a graph shares them."""

    def init_layer(self, test=True, update=False):
        super().init_layer(test=test, update=update)
        self._masks_by_batch = {}

    def __call__(self, x, h):
        if not self.test:
            batch_size = max(x.dim()[1], h.dim()[1])
            if batch_size not in self._masks_by_batch:
                self._masks_by_batch[batch_size] = dy.random_bernoulli(
                    self.input_dim, 0.5, 2.0, batch_size=batch_size
                )
            x = dy.cmult(x, self._masks_by_batch[batch_size])
        return ElmanState(dy.tanh(dy.affine_transform([self.b, self.W, x, self.U, h])))


class _NoBackprop(_Tiny):
    """Cuts the gradient through the recurrence with dy.nobackprop."""

    def __call__(self, x, h):
        h_prev = dy.nobackprop(h)
        return ElmanState(dy.tanh(dy.affine_transform([self.b, self.W, x, self.U, h_prev])))


class _AlwaysTrainable(_Tiny):
    """Loads its parameters with param.expr(True), ignoring update=False."""

    def init_layer(self, test=True, update=False):
        super().init_layer(test=test, update=update)
        for name, param in self.parameters.items():
            setattr(self, name, param.expr(True))


class _Memoryless(ParametrizedLayer, RecurrentCell):
    """h' = tanh(W x + b): ignores the previous state."""

    state_type = ElmanState

    def __init__(self, pc, input_dim=IN, hidden_dim=HID):
        super().__init__(pc, "memoryless")
        self.input_dim, self.hidden_dim = input_dim, hidden_dim
        self.add_parameters("W", (hidden_dim, input_dim))
        self.add_parameters("b", hidden_dim)
        self._declare_dropout()

    def __call__(self, x, h):
        return ElmanState(dy.tanh(dy.affine_transform([self.b, self.W, x])))


class _UndeclaredParameter(_Tiny):
    """Creates a gain parameter directly in its collection, bypassing add_parameters: it is not
    one of the layer's parameters, so save_layer does not save it."""

    def __init__(self, pc, input_dim=IN, hidden_dim=HID):
        super().__init__(pc, input_dim, hidden_dim)
        self._gain = self.pc.add_parameters(hidden_dim, name="gain")

    def init_layer(self, test=True, update=False):
        super().init_layer(test=test, update=update)
        self._gain_expression = self._gain.expr(self.update)

    def __call__(self, x, h):
        h_new = dy.tanh(dy.affine_transform([self.b, self.W, x, self.U, h]))
        return ElmanState(dy.cmult(self._gain_expression, h_new))


class _AutoInit(_Tiny):
    """Re-initialises itself silently when used in a new graph (hides a missing init())."""

    def _raise_not_initialized(self, method_name):
        self.init(test=self.test, update=self.update)


def _cached_call(self, x, h):
    """Builds the parameter expressions once and reuses them in every later graph."""
    if getattr(self, "_cache", None) is None:
        self._cache = (self.W, self.U, self.b)
    W, U, b = self._cache
    return ElmanState(dy.tanh(dy.affine_transform([b, W, x, U, h])))


class _CachesExpressions(_Tiny):
    pass


# Assigned after the class was created, so the graph guard does not wrap it.
_CachesExpressions.__call__ = _cached_call


def _failures(make, **kwargs):
    with pytest.raises(AssertionError) as info:
        check_recurrent_cell(make, IN, **kwargs)
    report = info.value.report
    assert isinstance(report, CheckReport)
    return str(info.value), report


# Tests ----------------------------------------------------------------------------------------
def test_a_correct_cell_passes_every_check_and_reports_them():
    report = check_recurrent_cell(
        lambda pc: _Tiny(pc), IN, make_dropout_cell=lambda pc: _Tiny(pc, dropout=0.5)
    )
    assert report.passed == list(RECURRENT_CELL_CHECKS)
    assert report.failed == {} and report.skipped == {}
    text = str(report)
    assert "_Tiny 'tiny': 7 passed, 0 failed, 0 skipped" in text
    assert "one mask per batch element" in text
    assert "eps=0.01, rtol=0.01, atol=0.001" in text


def test_a_deterministic_cell_without_dropout_factory_notes_that_masks_were_not_checked():
    report = check_recurrent_cell(lambda pc: _Tiny(pc), IN)
    assert "mask checks not run" in report.notes("determinism_and_dropout")[-1]


def test_checks_and_skip_select_checks():
    report = check_recurrent_cell(
        lambda pc: _Tiny(pc), IN, checks=["state_structure", "gradients"], skip=["gradients"]
    )
    assert report.passed == ["state_structure"]
    assert set(report.skipped) == set(RECURRENT_CELL_CHECKS) - {"state_structure"}
    with pytest.raises(ValueError, match="unknown check 'gradient'; the checks are"):
        check_recurrent_cell(lambda pc: _Tiny(pc), IN, checks=["gradient"])


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="seq_len must be an integer >= 2, got 1"):
        check_recurrent_cell(lambda pc: _Tiny(pc), IN, seq_len=1)
    with pytest.raises(ValueError, match=r"batch_sizes must be positive integers, got \(0,\)"):
        check_recurrent_cell(lambda pc: _Tiny(pc), IN, batch_sizes=(0,))
    with pytest.raises(
        TypeError, match="make_cell\\(pc\\) must return a RecurrentCell, got Affine"
    ):
        check_recurrent_cell(lambda pc: Affine(pc, 3, 4), IN)


def test_wrong_state_dims_fail_state_structure():
    message, report = _failures(lambda pc: _WrongStateDims(pc))
    assert (
        "[state_structure] cell(x, *state) at step 0: component 0 ('h') has dimension " in message
    )
    assert "((7,), 1), expected ((4,), 1) (state_dims[0] = 4, batch size 1)" in message


def test_wrong_input_dim_is_named():
    message, _ = _failures(lambda pc: _Tiny(pc, input_dim=2))
    assert "the cell's input_dim is 2, but the check was given input_dim=3" in message


def test_mixing_batch_elements_fails_batch_consistency():
    message, report = _failures(lambda pc: _MixesBatch(pc))
    assert list(report.failed) == ["batch_consistency"]
    assert (
        "test mode: batch element 0 of a batch of 3 differs from the same sequence run alone"
        in message
    )
    assert "max |difference|" in message and "mixes batch elements" in message


def test_randomness_in_test_mode_fails_determinism():
    message, report = _failures(lambda pc: _NoisyInTestMode(pc), checks=["determinism_and_dropout"])
    assert (
        "[determinism_and_dropout] test mode is not deterministic (make_cell's cell): two graphs"
        in message
    )
    assert "max |difference|" in message


def test_one_mask_for_the_whole_batch_is_caught():
    message, report = _failures(lambda pc: _SharedMask(pc))
    assert list(report.failed) == ["determinism_and_dropout"]
    assert "the same dropout mask is used for every batch element" in message
    assert "5 identical batch elements gave identical states" in message


def test_a_new_mask_at_every_step_is_caught():
    message, report = _failures(lambda pc: _MaskPerStep(pc), checks=["determinism_and_dropout"])
    assert "the dropout mask changes between steps of one sequence" in message
    assert "states differing by" in message


def test_masks_shared_by_the_sequences_of_a_graph_are_caught():
    message, report = _failures(lambda pc: _MaskPerGraph(pc), checks=["determinism_and_dropout"])
    assert "a new sequence reuses the previous sequence's dropout masks" in message


def test_a_dropout_factory_without_dropout_is_caught():
    message, _ = _failures(
        lambda pc: _Tiny(pc),
        make_dropout_cell=lambda pc: _Tiny(pc),
        checks=["determinism_and_dropout"],
    )
    assert "the cell from make_dropout_cell applies no dropout in training mode" in message


def test_a_gradient_cut_by_nobackprop_fails_gradients():
    message, report = _failures(lambda pc: _NoBackprop(pc))
    assert list(report.failed) == ["gradients"]
    assert "[gradients] test mode, update=True, batch size 3: gradient mismatch" in message
    assert "input 'initial state h'" in message
    assert "the back-propagated gradient is zero everywhere" in message
    assert "analytic 0, numerical" in message


def test_parameters_trainable_with_update_false_fail_gradients():
    message, report = _failures(lambda pc: _AlwaysTrainable(pc))
    assert list(report.failed) == ["gradients"]
    assert "training mode, update=False: parameters received a gradient: ['W', 'U', 'b']" in message
    assert "param.expr(self.update)" in message


def test_ignoring_the_previous_state_fails_state_carries_information():
    message, report = _failures(lambda pc: _Memoryless(pc))
    assert list(report.failed) == ["state_carries_information"]
    assert "the output at step 4 does not depend on the input at step 3" in message
    assert "the cell ignores its previous state" in message


def test_a_parameter_lost_by_save_load_fails_save_load():
    message, report = _failures(lambda pc: _UndeclaredParameter(pc))
    assert list(report.failed) == ["save_load"]
    assert "outputs differ after dynn.io.save_layer -> populate_layer: max |difference|" in message
    assert "not declared with add_parameters / add_lookup_parameters" in message
    assert "['/tiny/gain']" in message


def test_silent_reinitialisation_fails_graph_guard():
    message, report = _failures(lambda pc: _AutoInit(pc))
    assert list(report.failed) == ["graph_guard"]
    assert (
        "initial_value(1) before the first init() did not raise LayerNotInitializedError" in message
    )


def test_expressions_cached_across_graphs_fail_graph_guard():
    message, report = _failures(lambda pc: _CachesExpressions(pc), checks=["graph_guard"])
    where = "cell(x, *state) in a graph where the cell was not initialised"
    assert f"{where} raised ValueError instead of LayerNotInitializedError" in message
    assert "stale expression" in message
    assert "does it keep expressions from an earlier graph" in message


def test_the_report_is_reproducible_for_a_seed():
    first = check_recurrent_cell(lambda pc: LSTM(pc, IN, HID), IN, seed=3)
    second = check_recurrent_cell(lambda pc: LSTM(pc, IN, HID), IN, seed=3)
    assert first.notes("gradients") == second.notes("gradients")


def test_check_recurrent_cell_restores_nothing_it_did_not_build():
    pc = dy.ParameterCollection()
    outside = pc.add_parameters((2, 2))
    before = outside.as_array().copy()
    check_recurrent_cell(lambda p: _Tiny(p), IN, checks=["gradients"])
    np.testing.assert_array_equal(outside.as_array(), before)


# check_layer ----------------------------------------------------------------------------------
class _AffineMixesBatch(Affine):
    def __call__(self, x):
        y = super().__call__(x)
        return y - dy.mean_batches(y)


class _AffineNoBackprop(Affine):
    def __call__(self, x):
        return dy.affine_transform([self.b, self.W, dy.nobackprop(x)])


class _AffineSharedDropout(Affine):
    def __call__(self, x):
        if not self.test:
            x = dy.cmult(x, dy.random_bernoulli(self.input_dim, 0.5, 2.0))
        return dy.affine_transform([self.b, self.W, x])


def test_check_layer_passes_a_correct_layer_with_dropout():
    report = check_layer(
        lambda pc: Affine(pc, 3, 2),
        [(3,)],
        make_dropout_layer=lambda pc: Affine(pc, 3, 2, dropout=0.5),
    )
    assert report.passed == list(LAYER_CHECKS)
    assert "one mask per batch element" in report.notes("determinism_and_dropout")[-1]


def test_check_layer_with_make_inputs_and_several_outputs():
    def make_inputs(rng, batch_size):
        return [rng.normal(size=(3, batch_size)), [1] * batch_size]

    class _TwoOutputs(Affine):
        def __call__(self, x, ids):
            y = super().__call__(x)
            return (y, [dy.tanh(y)])

    report = check_layer(lambda pc: _TwoOutputs(pc, 3, 2), make_inputs=make_inputs)
    assert "outputs of dimensions [(2,), (2,)]" in report.notes("output_structure")[0]


@pytest.mark.parametrize(
    "layer_class, check, phrase",
    [
        (_AffineMixesBatch, "batch_consistency", "differs from the same input alone in output 0"),
        (_AffineNoBackprop, "gradients", "input 'input 0'"),
        (
            _AffineSharedDropout,
            "determinism_and_dropout",
            "the same dropout mask is used for every",
        ),
    ],
)
def test_check_layer_catches_broken_layers(layer_class, check, phrase):
    with pytest.raises(AssertionError) as info:
        check_layer(lambda pc: layer_class(pc, 3, 2), [(3,)])
    assert list(info.value.report.failed) == [check]
    assert phrase in str(info.value)


def test_check_layer_needs_one_way_of_making_inputs():
    with pytest.raises(ValueError, match="exactly one of input_shapes and make_inputs"):
        check_layer(lambda pc: Affine(pc, 3, 2))


# save_load: the YAML round trip ---------------------------------------------------------------
def test_the_config_round_trip_is_noted_when_the_class_is_not_registered():
    report = check_recurrent_cell(lambda pc: _Tiny(pc), IN, checks=["save_load"])
    notes = report.notes("save_load")
    assert notes[0].startswith("identical outputs and parameters after dynn.io.save_layer")
    if checks_module._config_module() is None:
        assert notes[1] == "config round trip skipped: dynn.config is not available"
    else:
        assert notes[1].startswith("config round trip skipped: _Tiny is not registered")


def test_the_config_round_trip_can_be_turned_off():
    report = check_recurrent_cell(
        lambda pc: LSTM(pc, IN, HID), IN, checks=["save_load"], config_roundtrip=False
    )
    assert report.notes("save_load")[1] == (
        "config round trip not requested (config_roundtrip=False)"
    )


def test_the_config_round_trip_of_a_registered_cell():
    if checks_module._config_module() is None:
        pytest.skip("dynn.config is not available")
    report = check_recurrent_cell(lambda pc: LSTM(pc, IN, HID), IN, checks=["save_load"])
    assert report.notes("save_load")[1] == (
        "config round trip: dumped as !LSTM, built again: same class, layer tree, parameter paths "
        "and shapes, dump and outputs"
    )


def test_state_changed_after_construction_fails_the_config_round_trip():
    if checks_module._config_module() is None:
        pytest.skip("dynn.config is not available")

    class KitTestRetunedCell(_Tiny):
        """Its activation can be changed after construction: the YAML does not know."""

        def __init__(self, pc, input_dim=IN, hidden_dim=HID):
            super().__init__(pc, input_dim, hidden_dim)
            self.activation = dy.tanh

        def __call__(self, x, h):
            return ElmanState(self.activation(dy.affine_transform([self.b, self.W, x, self.U, h])))

    def make(pc):
        cell = KitTestRetunedCell(pc)
        cell.activation = dy.logistic
        return cell

    try:
        message, report = _failures(make, checks=["save_load"])
    finally:
        registry.unregister("KitTestRetunedCell")
    assert "[save_load] config round trip: the layer built from the dumped YAML" in message
    assert "gives different outputs: max |difference|" in message
    assert "!KitTestRetunedCell" in message
