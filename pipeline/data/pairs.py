"""The image→video pairs: which datasets, where they live under the data root, and the class mapping.

A pair's class table (data, one dict per pair) maps an image-dataset class name to a video-dataset
class name; the pair's classes are the video names, in table order. Names are matched after
`normalise` (case and the separators " ", "_", "-" do not matter, so "riding_a_bike", "Riding a bike"
and "RidingABike" are one name), since the datasets spell their folders in several ways. Classes of a
dataset that are not in the table are ignored; classes in the table must be on disk (pipeline.data.manifest).
"""
import re
from dataclasses import dataclass, field

from pipeline.errors import DataError


def normalise(name: str) -> str:
    """The matching key of a class name: lower case, without separators ("Apply_Eye-Makeup" → "applyeyemakeup")."""
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


@dataclass(frozen=True)
class Dataset:
    kind: str          # reader (pipeline.layouts.READERS): "stanford40", "imagefolder", "ucf101", "hmdb51"
    folder: str        # its usual folder name under the data root; also its key in luigi.cfg's [datasets]
    source: str        # where users get it (printed in errors and the README)
    classes: tuple = ()   # its official class names, where known (a table's names are checked against them)


@dataclass(frozen=True)
class Pair:
    name: str
    images: Dataset
    videos: Dataset
    class_map: dict = field(hash=False)   # image class name → video class name

    @property
    def classes(self) -> list:
        return list(self.class_map.values())


# UCF101's 101 actions, as in its classInd.txt (also the order of the BU101→UCF101 table).
UCF101_CLASSES = (
    "ApplyEyeMakeup", "ApplyLipstick", "Archery", "BabyCrawling", "BalanceBeam", "BandMarching", "BaseballPitch",
    "Basketball", "BasketballDunk", "BenchPress", "Biking", "Billiards", "BlowDryHair", "BlowingCandles",
    "BodyWeightSquats", "Bowling", "BoxingPunchingBag", "BoxingSpeedBag", "BreastStroke", "BrushingTeeth",
    "CleanAndJerk", "CliffDiving", "CricketBowling", "CricketShot", "CuttingInKitchen", "Diving", "Drumming",
    "Fencing", "FieldHockeyPenalty", "FloorGymnastics", "FrisbeeCatch", "FrontCrawl", "GolfSwing", "Haircut",
    "Hammering", "HammerThrow", "HandstandPushups", "HandstandWalking", "HeadMassage", "HighJump", "HorseRace",
    "HorseRiding", "HulaHoop", "IceDancing", "JavelinThrow", "JugglingBalls", "JumpingJack", "JumpRope",
    "Kayaking", "Knitting", "LongJump", "Lunges", "MilitaryParade", "Mixing", "MoppingFloor", "Nunchucks",
    "ParallelBars", "PizzaTossing", "PlayingCello", "PlayingDaf", "PlayingDhol", "PlayingFlute", "PlayingGuitar",
    "PlayingPiano", "PlayingSitar", "PlayingTabla", "PlayingViolin", "PoleVault", "PommelHorse", "PullUps",
    "Punch", "PushUps", "Rafting", "RockClimbingIndoor", "RopeClimbing", "Rowing", "SalsaSpin", "ShavingBeard",
    "Shotput", "SkateBoarding", "Skiing", "Skijet", "SkyDiving", "SoccerJuggling", "SoccerPenalty", "StillRings",
    "SumoWrestling", "Surfing", "Swing", "TableTennisShot", "TaiChi", "TennisSwing", "ThrowDiscus",
    "TrampolineJumping", "Typing", "UnevenBars", "VolleyballSpiking", "WalkingWithDog", "WallPushups",
    "WritingOnBoard", "YoYo",
)

# HMDB51's 51 actions, as its folders and split files name them.
HMDB51_CLASSES = (
    "brush_hair", "cartwheel", "catch", "chew", "clap", "climb", "climb_stairs", "dive", "draw_sword", "dribble",
    "drink", "eat", "fall_floor", "fencing", "flic_flac", "golf", "handstand", "hit", "hug", "jump", "kick",
    "kick_ball", "kiss", "laugh", "pick", "pour", "pullup", "punch", "push", "pushup", "ride_bike", "ride_horse",
    "run", "shake_hands", "shoot_ball", "shoot_bow", "shoot_gun", "sit", "situp", "smile", "smoke", "somersault",
    "stand", "swing_baseball", "sword", "sword_exercise", "talk", "throw", "turn", "walk", "wave",
)

STANFORD40 = Dataset("stanford40", "Stanford40", "http://vision.stanford.edu/Datasets/40actions.html")
UCF101 = Dataset("ucf101", "UCF101", "https://www.crcv.ucf.edu/data/UCF101.php "
                 "(UCF101.rar + UCF101TrainTestSplits-RecognitionTask.zip)", UCF101_CLASSES)
HMDB51 = Dataset("hmdb51", "HMDB51", "https://serre-lab.clps.brown.edu/resource/hmdb-a-large-human-motion-database/ "
                 "(hmdb51_org.rar + test_train_splits.rar)", HMDB51_CLASSES)
EAD = Dataset("imagefolder", "EAD", "https://drive.google.com/open?id=11GghjBp1jgFKDwvudZGLzPbSuCP4DJfs "
              "(linked from the DIVAFN project page; one folder per class)")
ASD = Dataset("imagefolder", "ASD", "https://drive.google.com/open?id=1xor9cfZ-ny-OfBbTnKRR_6oQyebKkD-g "
              "(linked from the DIVAFN project page; one folder per class)")
BU101 = Dataset("imagefolder", "BU101",
                "http://cs-people.bu.edu/sbargal/BU-action/ (BU101 images, one folder per class)")

STANFORD40_UCF101 = {
    "shooting_an_arrow": "Archery", "brushing_teeth": "BrushingTeeth", "cutting_vegetables": "CuttingInKitchen",
    "throwing_frisby": "FrisbeeCatch", "rowing_a_boat": "Rowing", "walking_the_dog": "WalkingWithDog",
    "writing_on_a_board": "WritingOnBoard", "cleaning_the_floor": "MoppingFloor", "climbing": "RockClimbingIndoor",
    "playing_guitar": "PlayingGuitar", "riding_a_bike": "Biking", "riding_a_horse": "HorseRiding",
}
EAD_HMDB51 = {
    "applauding": "clap", "climbing": "climb", "drinking": "drink", "hug": "hug", "jumping": "jump", "kiss": "kiss",
    "pouring liquid": "pour", "pushing a cart": "push", "riding a bike": "ride_bike", "riding a horse": "ride_horse",
    "running": "run", "shake hands": "shake_hands", "shooting an arrow": "shoot_bow", "smoking": "smoke",
    "waving hands": "wave",
}
ASD_UCF101 = {
    "riding bike": "Biking", "cricket bowling": "CricketBowling", "cricket batting": "CricketShot",
    "riding horse": "HorseRiding", "playing cello": "PlayingCello", "playing flute": "PlayingFlute",
    "playing violin": "PlayingViolin", "tennis forehand": "TennisSwing", "volleyball smash": "VolleyballSpiking",
    # No exact UCF101 twin for "throwing": a pitcher's throw is the closest action in UCF101.
    "throwing": "BaseballPitch",
}

# BU101 has one image folder per UCF101 action, named after it (spelling normalised by `normalise`).
BU101_UCF101 = {name: name for name in UCF101_CLASSES}

# SYNTHETIC reuses real action names (the first 8 of Stanford40→UCF101) so that a real class-name
# embedding gives S a meaningful geometry; its data is generated in these two official layouts.
SYNTHETIC_MAP = dict(list(STANFORD40_UCF101.items())[:8])

PAIRS = {p.name: p for p in [
    Pair("SYNTHETIC", Dataset("stanford40", "Stanford40", "generated by MakeSyntheticData"),
         Dataset("ucf101", "UCF101", "generated by MakeSyntheticData"), SYNTHETIC_MAP),
    Pair("Stanford40_UCF101", STANFORD40, UCF101, STANFORD40_UCF101),
    Pair("ASD_UCF101", ASD, UCF101, ASD_UCF101),
    Pair("EAD_HMDB51", EAD, HMDB51, EAD_HMDB51),
    Pair("BU101_UCF101", BU101, UCF101, BU101_UCF101),
]}


def _check_table(pair: Pair) -> None:
    """A table must be one-to-one after normalising (or two folders would silently share a class), and
    name only classes that its video dataset has."""
    for side, names in (("image", list(pair.class_map)), ("video", pair.classes)):
        keys = [normalise(n) for n in names]
        if len(set(keys)) != len(keys):
            dup = sorted({n for n in names if keys.count(normalise(n)) > 1})
            raise AssertionError(f"pair {pair.name}: {side} class names {dup} coincide after normalising")
    unknown = [c for c in pair.classes if pair.videos.classes and c not in pair.videos.classes]
    if unknown:
        raise AssertionError(f"pair {pair.name}: {unknown} are not {pair.videos.folder} classes")


for _pair in PAIRS.values():
    _check_table(_pair)


def get_pair(name: str) -> Pair:
    try:
        return PAIRS[name]
    except KeyError:
        raise DataError(f"unknown pair {name!r}; use --pair with one of: {', '.join(PAIRS)}, or the path of a pair "
                        f"file describing your own data (my_pair.toml; docs/datasets.md, \"Your own data\").") from None
