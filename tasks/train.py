"""Training of the three networks and the dump of their features."""
import logging

import luigi

from models import VIDEO_INPUTS
from pipeline.method.train_config import OBJECTIVES, SUPERVISIONS, VIDEO_STEPS, TrainConfig

from .base import ArtifactTask
from .classnames import EmbedClassNames
from .data import BuildManifest, PrepareImages
from .extract import CheckRejects, ExtractKeyframes, ExtractVideoFeatures
from .params import (MIN_IMAGE_SIZE, Count, Dataset, Device, Fraction, ImageSize, NonNegative, OneChain, Positive,
                     Seed, Training, Videos)

log = logging.getLogger("luigi-interface")


class TrainDIVAFN(Dataset, ImageSize, Videos, Seed, Device, Training, ArtifactTask):
    """θx (image/keyframe network f), θy (video net g), W_F, W_H, W_G by Algorithm 1 → model.pt."""
    c = Count(default=64, description="length of the domain-invariant representation")
    fc_dim = Count(default=4096, description="width of f's hidden fully connected layers (CNN-F's full6/full7; "
                                             "efficientnet_lite0's new full7)")
    video_hidden = Count(default=8192, description="width of the video net's full1")
    # Algorithm 1's settings: their defaults are TrainConfig's (pipeline/method/train_config.py), declared there once.
    batch_size = Count(default=TrainConfig.batch_size, description="N_x = N_y")
    lr_x = Positive(default=TrainConfig.lr_x, description="AdamW learning rate of f's new layers")
    lr_trunk = NonNegative(default=TrainConfig.lr_trunk, description="an ImageNet-initialised trunk learns at "
                           "lr_trunk · lr_x (0: frozen; efficientnet_lite0's recipe, docs/method.md)")
    lr_y = Positive(default=TrainConfig.lr_y, description="AdamW learning rate of the video net g")
    weight_decay = NonNegative(default=TrainConfig.weight_decay, description="AdamW's decoupled weight decay")
    alpha_fg = NonNegative(default=TrainConfig.alpha_fg, description="weight of L_sim(F, G)")
    alpha_hg = NonNegative(default=TrainConfig.alpha_hg, description="weight of L_sim(H, G)")
    alpha_fh = NonNegative(default=TrainConfig.alpha_fh, description="weight of L_sim(F, H)")
    beta = NonNegative(default=TrainConfig.beta, description="weight of the autoencoder terms")
    lam = Positive(default=TrainConfig.lam, description="λ of the autoencoder terms in training")
    augment = luigi.BoolParameter(default=TrainConfig.augment, parsing=luigi.BoolParameter.EXPLICIT_PARSING,
                                  description="random flips and shifts of the still items in training")
    augment_p = Fraction(default=TrainConfig.augment_p, description="the share of each batch's stills augmented, "
                         "0 … 1 (the others' features refresh the buffers; docs/method.md)")
    balanced = luigi.BoolParameter(default=TrainConfig.balanced, parsing=luigi.BoolParameter.EXPLICIT_PARSING,
                                   description="L_sim: the mean of its same-class pairs' and its different-class "
                                               "pairs' means (false: the mean over all pairs; docs/method.md)")
    video_input = luigi.ChoiceParameter(choices=VIDEO_INPUTS, default=TrainConfig.video_input,
                                        description="g's input, centred per dimension on the training videos, then "
                                                    "each dimension to unit std (standardise) or one scale for all "
                                                    "(uniform; docs/results.md, \"The classifier's input\")")
    video_steps = luigi.ChoiceParameter(choices=VIDEO_STEPS, default=TrainConfig.video_steps,
                                        description="video-side steps per outer iteration: one pass over the training "
                                                    "videos (one_pass), or as many as the image side (algorithm: "
                                                    "Algorithm 1's one n; docs/results.md, \"Video-side steps\")")
    # The values these had before they were settings (not their defaults, which may move): left out of the digest.
    digest_added = {"video_input": "standardise", "video_steps": "one_pass", "objective": "divafn", "gamma": "1.0",
                    "supervision": "linear", "tau": "0.1", "domain_weight": "1.0"}
    resources = {"gpu": 1}     # luigid runs at most [resources] gpu of these at once; tasks/hooks.py locks each GPU
    pretrained = luigi.Parameter(default="", description="local ImageNet state dict of the backbone (empty: "
                                                         "efficientnet_lite0's installed weights; the others from "
                                                         "scratch)")
    use_keyframes = luigi.BoolParameter(default=True, parsing=luigi.BoolParameter.EXPLICIT_PARSING,
                                        description="train on the training videos' keyframes (false: images and videos "
                                                    "only; the H–G and F–H terms vanish)")
    # Issue 26: what f and g are trained for, and the new methods' weights (docs/method.md, "Methods compared").
    objective = luigi.ChoiceParameter(choices=OBJECTIVES, default=TrainConfig.objective,
                                      description="divafn (the paper's Algorithm 1), finetune (cross-entropy), dann "
                                                  "(cross-entropy + domain-adversarial) or divafn_plus (DIVAFN + a "
                                                  "supervised term)")
    gamma = NonNegative(default=TrainConfig.gamma, description="divafn_plus: weight of the supervised term")
    supervision = luigi.ChoiceParameter(choices=SUPERVISIONS, default=TrainConfig.supervision,
                                        description="divafn_plus's supervised term: a linear C-way layer, or a "
                                                    "softmax over the semantic codes' compatibility with S")
    tau = Positive(default=TrainConfig.tau, description="divafn_plus, supervision semantic: temperature")
    domain_weight = NonNegative(default=TrainConfig.domain_weight,
                                description="dann: weight of the domain classifier's loss")

    # The settings of one objective (its supervised term, its domain classifier): refused for the others
    # (unused_settings) and in that objective's digest only, so that a training which does not read one keeps its
    # folder whatever the setting's default.
    OBJECTIVE_SETTINGS = {"gamma": "divafn_plus", "supervision": "divafn_plus", "tau": "divafn_plus",
                          "domain_weight": "dann"}
    OBJECTIVE_PART = {"divafn_plus": "a supervised term", "dann": "a domain classifier"}

    IMAGENET_BY_DEFAULT = ("efficientnet_lite0",)   # pipeline.method.pretrained.default_weights (it imports torch)
    # What the baselines' training (pipeline.method.train.train_supervised) does not read: DIVAFN's loss terms.
    DIVAFN_TERMS = ("alpha_fg", "alpha_hg", "alpha_fh", "beta", "balanced", "video_steps")

    def conflicting_settings(self) -> dict:
        least = MIN_IMAGE_SIZE[self.backbone]
        if self.image_size < least:
            return {"image_size": f"the {self.backbone} backbone takes images of at least {least} px (smaller, its "
                                  f"last pooling has nothing left to pool); give {least} or more, or another "
                                  f"--backbone."}
        return {}

    def unused_settings(self) -> dict:
        out = {}
        if not self.augment:
            out["augment_p"] = ("augment is false, so no still is augmented and this share would be ignored; drop it, "
                                "or set augment true.")
        if not self.pretrained and self.backbone not in self.IMAGENET_BY_DEFAULT:
            out["lr_trunk"] = (f"{self.backbone} is trained from scratch here (no pretrained file), so it has no "
                               f"ImageNet trunk to slow down and this setting would be ignored; drop it, or give the "
                               f"backbone's ImageNet weights as --TrainDIVAFN-pretrained FILE.")
        for name, objective in self.OBJECTIVE_SETTINGS.items():
            if self.objective != objective:
                out[name] = (f"only objective {objective} has {self.OBJECTIVE_PART[objective]}, and this training's "
                             f"objective is {self.objective}; drop it, or set objective {objective}.")
        if self.objective == "divafn_plus" and self.supervision != "semantic":
            out["tau"] = ("only supervision semantic has a softmax temperature, and this one is linear; drop it, or "
                          "set supervision semantic.")
        if self.objective in ("finetune", "dann"):
            for name in self.DIVAFN_TERMS:
                out[name] = (f"objective {self.objective} trains by cross-entropy alone, without DIVAFN's similarity "
                             f"and autoencoder terms, so this setting would be ignored; drop it, or set objective "
                             f"divafn or divafn_plus.")
        return out

    def digest_params(self) -> dict:
        return {k: v for k, v in super().digest_params().items()
                if self.OBJECTIVE_SETTINGS.get(k, self.objective) == self.objective}

    def requires(self):
        shards = range(self.n_shards)
        return dict(manifest=self.clone(BuildManifest), images=self.clone(PrepareImages),
                    keyframes=[self.clone(ExtractKeyframes, shard=i) for i in shards],
                    video_features=[self.clone(ExtractVideoFeatures, shard=i) for i in shards],
                    classnames=self.clone(EmbedClassNames), rejects=self.clone(CheckRejects))

    def output(self):
        return self.artifact("model.pt")

    def run(self):
        from pipeline.io import assemble, h5io
        from pipeline.method import checkpoint, pretrained, train
        from pipeline.method.train import TrainConfig
        inp = self.input()
        m, images, keyframes, video_features = assemble.read_training_inputs(      # X and K: read a batch at a time
            inp["manifest"].path, inp["images"].path, [t.path for t in inp["keyframes"]],
            [t.path for t in inp["video_features"]])
        S = h5io.read(inp["classnames"].path, "classnames")["S"]
        data = assemble.training_data(m, images, keyframes, video_features, S, use_keyframes=self.use_keyframes)
        cfg = TrainConfig(**{k: getattr(self, k) for k in TrainConfig.__dataclass_fields__})
        device = train.resolve_device(self.device)
        log.info("training on %s: %d images, %d keyframes, %d videos", device, len(data.X), len(data.K), len(data.Y))
        dims = dict(c=self.c, video_dim=data.Y.shape[1], d=data.S.shape[1], fc_dim=self.fc_dim,
                    video_hidden=self.video_hidden, backbone=self.backbone, image_size=self.image_size)
        weights = self.pretrained or pretrained.default_weights(self.backbone)
        model = train.build_model(dims, self.seed)
        if weights:
            loaded = pretrained.load_pretrained(model.f, weights, self.backbone)
            log.info("%s: %d tensors from %s (skipped the ImageNet head: %s)", self.backbone, loaded["loaded"],
                     weights, ", ".join(loaded["skipped"]) or "none")
        history = train.train(model, data, cfg, device, progress=self.progress, pretrained=bool(weights))
        with self.output().temporary_path() as tmp:
            checkpoint.save(tmp, model, dims, train.config_dict(cfg), history, m.classes, weights,
                            self.use_keyframes, self.provenance(device=str(device)))


class DumpFeatures(OneChain, ArtifactTask):
    """F (images), H (every video's keyframes), G (videos) through the trained networks → features.h5.

    Also F0, H0, G0: the same items through the networks' initial weights (TrainDIVAFN's seed), the
    "before training" picture of the report's projection — except in the chains that CompareMethods trains beside
    the main one, without keyframes or for another objective (`train_overrides` {"use_keyframes": false},
    {"objective": "dann"}, …): the initial weights depend on neither, so their F0, H0, G0 would be the main chain's,
    which are the ones read.
    """
    resources = {"gpu": 1}
    READS = ("manifest", "images", "keyframes", "video_features")   # of the model's inputs: the items it dumps
    implied_inputs = READS          # upstream of model

    SAME_START = ("use_keyframes", "objective")     # overrides that leave the initial weights the main chain's

    def initial(self) -> bool:
        """Whether this chain's features.h5 holds F0, H0, G0."""
        return not any(k in self.train_overrides for k in self.SAME_START)

    def requires(self):
        model = self.clone(TrainDIVAFN, **self.train_overrides)
        return dict(model=model, **{k: model.requires()[k] for k in self.READS})    # the very inputs it was trained on

    def output(self):
        return self.artifact("features.h5")

    def run(self):
        from pipeline.io import assemble, h5io
        from pipeline.method import checkpoint, features, train
        inp = self.input()
        m, images, keyframes, video_features = assemble.read_training_inputs(      # X and K: read a batch at a time
            inp["manifest"].path, inp["images"].path, [t.path for t in inp["keyframes"]],
            [t.path for t in inp["video_features"]])
        assemble.image_arrays(m, images, inp["images"].path)
        videos = assemble.video_arrays(m, keyframes, video_features)
        self.progress(0.1, "computing F, H, G")
        device = train.resolve_device(self.device)
        model_path = inp["model"].path
        out = features.dump(checkpoint.load_model(model_path), images["X"], videos["K"], videos["Y"], device)
        arrays = dict(F=out["F"], H=out["H"], G=out["G"], Y=videos["Y"], image_labels=images["labels"],
                      image_ids=images["ids"], video_labels=videos["labels"], video_ids=videos["ids"],
                      video_split=videos["split"])
        if self.initial():
            self.progress(0.6, "computing F0, H0, G0 (initial weights)")
            before = features.dump(checkpoint.initial_model(model_path, self.seed), images["X"], videos["K"],
                                   videos["Y"], device)
            arrays.update(F0=before["F"], H0=before["H"], G0=before["G"])
        with self.output().temporary_path() as tmp:
            h5io.write(tmp, "features", arrays, self.provenance(classes=m.classes))
