"""Methods compared on the same split: each is a list of feature blocks per video fed to the same linear SVM.

A method's input is a list of blocks, (n_vid, ·) arrays concatenated for the SVM; each block is prepared on its
own (pipeline.evaluation.classifier.InputScaler, `[FitClassifier] scaling`)."""
import numpy as np

from pipeline.evaluation.classifier import evaluate, fit_svm
from pipeline.method.features import pool_keyframes
from pipeline.method.semantics import fit_all, fused


def divafn_features(semantic: dict) -> list:
    """The paper's classifier input [W_H h ; W_G g ; W_E e] as its blocks (n_vid, d) from semantic.h5's SH, SG, SE."""
    return [semantic["SH"], semantic["SG"], semantic["SE"]]


def method_features(features: dict, semantic: dict) -> dict:
    """name → blocks of every video, for each method the run can score.

    divafn: [W_H h ; W_G g ; W_E e], the paper's classifier input.
    video_only: the raw video features y (no images, no keyframes, no training).
    """
    return dict(divafn=divafn_features(semantic), video_only=[features["Y"]])


def stack(blocks) -> tuple:
    """(X (n, Σ widths), widths) of a list of blocks; one array is one block."""
    blocks = [blocks] if isinstance(blocks, np.ndarray) else list(blocks)
    return np.concatenate(blocks, 1), [B.shape[1] for B in blocks]


def compare(methods: dict, labels, split, n_classes: int, svm_c: float = 1.0, seed: int = 0,
            scaling: str = "blocks") -> dict:
    """name → evaluate() result of an SVM trained on the training videos, scored on the test videos."""
    train, test = split == "train", split == "test"
    out = {}
    for name, blocks in methods.items():
        X, widths = stack(blocks)
        out[name] = evaluate(fit_svm(X[train], labels[train], svm_c, seed, widths, scaling), X[test], labels[test],
                             n_classes)
    return out




def baseline_features(features: dict, pooling: str = "mean") -> list:
    """finetune's and dann's classifier input [h ; g]: a chain's pooled keyframe features and video features."""
    return [pool_keyframes(features["H"], pooling), features["G"]]


# --------------------------------------------------------------------------------------------- the comparison
# CompareMethods (tasks/compare.py): every method on the same split, the same SVM (fit_svm: each block prepared
# by InputScaler, one-vs-rest linear SVM), the same seed. The one table of methods: the comparison computes these,
# the report describes them from here, and docs/method.md holds `markdown_table()` verbatim (a test checks).
METHODS = {  # name → what it uses; what the classifier is fed (n_vid rows, one per video); how, in a sentence
    "divafn": dict(uses="images, keyframes, videos", input="[W_H h ; W_G g ; W_E e]",
                   how="the paper's classifier input: the trained networks' semantic features"),
    "video_only": dict(uses="videos only", input="y",
                       how="the raw video features: no images, no keyframes, no training"),
    "keyframe_only": dict(uses="keyframes only", input="h",
                          how="the video's keyframes through the trained f, pooled (no video feature)"),
    "image_only": dict(uses="images only", input="F → h",
                       how="the SVM trained on the images' F, tested on the test videos' h: no labelled video at all"),
    "divafn_untrained": dict(uses="images, keyframes, videos", input="[W_H h₀ ; W_G g₀ ; W_E e₀]",
                             how="what training adds: the same steps as divafn on the networks' initial weights (f "
                                 "ImageNet-initialised when its backbone is, g untrained): W_H/W_G/W_E in closed form, "
                                 "the same SVM"),
    "divafn_no_keyframes": dict(uses="images, videos", input="[W_H h ; W_G g ; W_E e]",
                                how="DIVAFN trained without keyframes (the H–G and F–H terms vanish); after "
                                    "training the same steps as divafn: h = f(keyframes) pooled, W_H/W_G/W_E in "
                                    "closed form, the same SVM"),
    "divafn_no_autoencoder": dict(uses="images, keyframes, videos", input="[h ; g ; e], e = [ĥ ; ĝ]",
                                  how="the trained features without semantic projection"),
    "divafn_no_fusion": dict(uses="images, keyframes, videos", input="[W_H h ; W_G g]", how="no Auto-E"),
    "finetune": dict(uses="images, keyframes, videos", input="[h ; g]",
                     how="the supervised baseline: f fine-tuned by softmax cross-entropy on the images and training "
                         "keyframes, g on the training videos (objective finetune), same budget"),
    "dann": dict(uses="images, keyframes, videos", input="[h ; g]",
                 how="domain-adversarial training (Ganin & Lempitsky 2016): finetune's cross-entropy plus a domain "
                     "classifier, behind a gradient-reversal layer, telling images from training keyframes"),
    # its input, the semantic features alone (not y beside them), adopted by the rule of docs/results.md
    "divafn_plus": dict(uses="images, keyframes, videos", input="[W_H h ; W_G g ; W_E e]",
                        how="DIVAFN's objective plus a supervised term γ·L_sup on F, H and G (objective "
                            "divafn_plus); the same closed-form semantic steps as divafn"),
    "divafn_plus_image_only": dict(uses="images only", input="F → h",
                                   how="image_only on divafn_plus's features: no labelled video at all"),
}


def markdown_table() -> str:
    """METHODS as a Markdown table (the one in docs/method.md)."""
    rows = [f"| `{name}` | {m['uses']} | {m['input']} | {m['how']} |" for name, m in METHODS.items()]
    return "\n".join(["| method | uses | classifier input | what it measures |", "|---|---|---|---|", *rows])


def ablation_features(features: dict, semantic: dict, pooling: str = "mean") -> dict:
    """name → blocks of the methods that one trained DIVAFN gives (all of METHODS but image_only and
    divafn_no_keyframes, which need another training set / another training run)."""
    h, G = pool_keyframes(features["H"], pooling), features["G"]
    E = fused(h, G, semantic["mu_H"], semantic["mu_G"])                # as pipeline.method.semantics fuses
    return dict(divafn=divafn_features(semantic), video_only=[features["Y"]], keyframe_only=[h],
                divafn_no_autoencoder=[h, G, E], divafn_no_fusion=[semantic["SH"], semantic["SG"]])


def image_only(F, y_F, h, labels, split, n_classes: int, svm_c: float = 1.0, seed: int = 0,
               scaling: str = "blocks") -> dict:
    """evaluate() of an SVM trained on the images (F, y_F) and scored on the test videos' pooled keyframe features h."""
    test = split == "test"
    return evaluate(fit_svm(F, y_F, svm_c, seed, None, scaling), h[test], labels[test], n_classes)


def untrained_semantic(features: dict, S, lambda_grid, pooling: str = "mean", seed: int = 0,
                       centre: bool = True) -> dict:
    """ProjectSemantics' closed-form fit (pipeline.method.semantics.fit_all) on the initial features F0, H0, G0."""
    split = np.asarray(features["video_split"]).astype(str)
    return fit_all(features["F0"], features["image_labels"], features["H0"], features["G0"], features["video_labels"],
                   split == "train", S, lambda_grid, pooling, seed, centre)["arrays"]


def compare_all(fitted: dict, features: dict, semantic: dict, semantic_no_keyframes: dict, n_classes: int,
                pooling: str = "mean", svm_c: float = 1.0, seed: int = 0, semantic_untrained: dict = None,
                scaling: str = "blocks", chains: dict = None) -> dict:
    """name → result for every method of METHODS, on one split: `fitted`'s results as they are, the others scored.

    fitted: name → result of the methods already fitted (FitClassifier's divafn and video_only, as its
    results.json holds them), taken as they are: each method is fitted once, with the same SVM and seed as here.
    features, semantic: the configured DIVAFN's features.h5 and semantic.h5; semantic_no_keyframes: the
    semantic.h5 of a DIVAFN trained without keyframes (same videos, same order); semantic_untrained: the same fit
    on the initial features (untrained_semantic). chains: method of train_config.CHAINS → dict(features=its features.h5,
    semantic=its semantic.h5 (divafn_plus)), the same videos in the same order.
    """
    y, split = features["video_labels"], np.asarray(features["video_split"]).astype(str)
    methods = ablation_features(features, semantic, pooling)
    h = methods["keyframe_only"][0]
    methods = {name: blocks for name, blocks in methods.items() if name not in fitted}
    methods["divafn_no_keyframes"] = divafn_features(semantic_no_keyframes)
    if semantic_untrained is not None:
        methods["divafn_untrained"] = divafn_features(semantic_untrained)
    for name, chain in (chains or {}).items():
        methods[name] = (divafn_features(chain["semantic"]) if name == "divafn_plus"
                         else baseline_features(chain["features"], pooling))
    results = dict(fitted, **compare(methods, y, split, n_classes, svm_c, seed, scaling))
    results["image_only"] = image_only(features["F"], features["image_labels"], h, y, split, n_classes, svm_c, seed,
                                       scaling)
    if chains and "divafn_plus" in chains:
        plus = chains["divafn_plus"]["features"]
        h_plus = pool_keyframes(plus["H"], pooling)
        results["divafn_plus_image_only"] = image_only(plus["F"], plus["image_labels"], h_plus, y, split, n_classes,
                                                       svm_c, seed, scaling)
    return results
