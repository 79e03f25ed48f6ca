"""The one table of compared methods (pipeline.evaluation.methods.METHODS) is what the comparison computes, what the
report describes and what docs/method.md shows."""
from pipeline.evaluation.methods import METHODS, markdown_table
from tests.helpers.luigi_process import REPO


def test_docs_show_the_generated_table_verbatim():
    assert markdown_table() in (REPO / "docs" / "method.md").read_text()


def test_every_method_has_its_three_descriptions():
    for name, m in METHODS.items():
        assert set(m) == {"uses", "input", "how"} and all(m.values()), name
