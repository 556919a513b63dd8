"""The registry: tags, kinds, aliases, duplicates naming both classes, entry-point plugins."""

import sys
import textwrap

import pytest

from dynn import registry
from dynn.layers.base_layers import BaseLayer


def test_layers_register_by_class_name_with_aliases():
    class ConfigTestLayer(BaseLayer, aliases=("ConfigTestAlias",)):
        def __init__(self):
            super().__init__("t")

    try:
        assert registry.lookup("ConfigTestAlias") is ConfigTestLayer
        assert registry.tag_of(ConfigTestLayer) == "ConfigTestLayer"
        assert registry.kind_of("ConfigTestAlias") == "layer"
    finally:
        registry.unregister("ConfigTestLayer")
    assert "ConfigTestAlias" not in registry.registered()


def _define_duplicate():
    class ConfigTestDuplicate(BaseLayer):
        pass

    return ConfigTestDuplicate


def test_duplicate_tags_fail_at_definition_naming_both_classes():
    class ConfigTestDuplicate(BaseLayer):
        pass

    try:
        with pytest.raises(registry.RegistryError) as info:
            _define_duplicate()
        message = str(info.value)
        assert "test_duplicate_tags_fail_at_definition_naming_both_classes.<locals>." in message
        assert "_define_duplicate.<locals>.ConfigTestDuplicate" in message
    finally:
        registry.unregister("ConfigTestDuplicate")


def test_kinds_of_dynn_components():
    registry.load_components()
    assert registry.kind_of("tanh") == "activation"
    assert registry.kind_of("NormalInit") == "initializer"
    assert registry.kind_of("AdamTrainer") == "optimizer"
    assert registry.kind_of("LSTM") == "layer"
    assert registry.tag_of(len) is None


def test_invalid_tags_are_refused():
    with pytest.raises(registry.RegistryError, match="invalid tag"):
        registry.register(lambda x: x, tag="!bad")


def _install_plugin(tmp_path, body: str, name: str):
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    info = tmp_path / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[dynn.components]\n{name} = {name}\n")


def test_plugins_register_through_the_entry_point_group(tmp_path, monkeypatch):
    _install_plugin(
        tmp_path,
        """
        from dynn.layers.base_layers import BaseLayer
        from dynn.registry import register

        class PluginTestLayer(BaseLayer):
            def __init__(self, size: int):
                super().__init__("plugin")
                self.size = size

        @register(kind="activation")
        def plugin_test_square(x):
            return x * x
        """,
        "dynn_plugin_test",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert "dynn_plugin_test" in registry.load_plugins()
        assert registry.kind_of("plugin_test_square") == "activation"
        from dynn.config import build, parse

        assert build(parse("model: !PluginTestLayer {size: 3}")).size == 3
        assert registry.load_plugins() == []  # each plugin is loaded once
    finally:
        registry.unregister("PluginTestLayer")
        registry.unregister("plugin_test_square")
        sys.modules.pop("dynn_plugin_test", None)


def test_a_failing_plugin_is_named(tmp_path, monkeypatch):
    _install_plugin(tmp_path, "raise RuntimeError('broken')\n", "dynn_broken_plugin")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(registry.RegistryError, match="dynn plugin 'dynn_broken_plugin = "):
        registry.load_plugins()


def test_a_user_layer_named_like_a_dynn_layer_breaks_nothing():
    from dynn.layers.base_layers import BaseLayer
    from dynn.models.tagger import Tagger as DynnTagger

    class Tagger(BaseLayer):  # a user's own class, outside dynn
        def __init__(self):
            super().__init__("my-tagger")

    assert registry.lookup("Tagger") is DynnTagger
    assert Tagger().name == "my-tagger"


def test_a_user_layer_registered_first_gives_way_to_explicit_registrations():
    from dynn.layers.base_layers import BaseLayer

    class UserOnlyLayer(BaseLayer):
        def __init__(self):
            super().__init__("user")

    assert registry.lookup("UserOnlyLayer") is UserOnlyLayer

    def replacement():
        return None

    registry.register(replacement, tag="UserOnlyLayer")
    assert registry.lookup("UserOnlyLayer") is replacement
    registry.unregister("UserOnlyLayer")
