"""SYNTHETIC's size picks its class table: `--MakeSyntheticData-size ucf101` makes BuildManifest read BU101→UCF101's
101 classes in the BU101 layout; the other sizes keep SYNTHETIC's 8 in Stanford40's."""
from luigi.cmdline_parser import CmdlineParser

import tasks  # noqa: F401  (registers the tasks)


def _seen(*flags):
    """(size, classes, image folder, digest) of the BuildManifest a command line with `flags` builds."""
    with CmdlineParser.global_instance(["BuildManifest", "--pair", "SYNTHETIC", *flags]) as parser:
        t = parser.get_task_obj()
        return t.requires().size, len(t.pair_spec.classes), t.pair_spec.images.folder, t.digest()


def test_the_size_reaches_the_pair_that_build_manifest_reads():
    big, default, x4 = _seen("--MakeSyntheticData-size", "ucf101"), _seen(), _seen("--MakeSyntheticData-size", "x4")
    assert big[:3] == ("ucf101", 101, "BU101")
    assert default[:3] == ("default", 8, "Stanford40") and x4[:3] == ("x4", 8, "Stanford40")
    assert len({big[3], default[3], x4[3]}) == 3
