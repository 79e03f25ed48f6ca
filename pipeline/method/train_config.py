"""Algorithm 1's settings and their defaults, declared once: TrainDIVAFN's parameters take their defaults from here.

No torch here, so that tasks/ can name these without loading it (`luigi --module tasks` starts light).
"""
from dataclasses import dataclass

from models import VIDEO_INPUTS

# How many video-side steps each outer iteration runs (train.train): ⌈n_y/N_y⌉, or as many as the image side.
VIDEO_STEPS = ("one_pass", "algorithm")
# What f and g are trained for (docs/method.md, "Methods compared"): the paper's objective, the two standard baselines
# (supervised fine-tuning; domain-adversarial training, Ganin & Lempitsky 2016), and DIVAFN with a supervised term.
OBJECTIVES = ("divafn", "finetune", "dann", "divafn_plus")
# The chains CompareMethods trains beside the configured (divafn) one, method → TrainDIVAFN's overrides: here, not in
# pipeline.evaluation.methods, because the tasks' requires() read it and a no-op rerun imports no numerical library.
CHAINS = {objective: {"objective": objective} for objective in OBJECTIVES[1:]}
# divafn_plus's supervised term: cross-entropy through a linear C-way layer, or a softmax over the compatibility of
# each feature's semantic code W_Z ẑ with the class embeddings S (losses.semantic_cross_entropy).
SUPERVISIONS = ("linear", "semantic")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 30              # outer iterations of Algorithm 1
    batch_size: int = 256         # N_x = N_y (the paper's Algorithm 1)
    lr_x: float = 1e-3            # AdamW, image/keyframe side (θx's new layers)
    lr_trunk: float = 0.1         # θx's ImageNet-initialised trunk learns at lr_trunk · lr_x (0: frozen)
    lr_y: float = 1e-3            # AdamW, video side (θy)
    weight_decay: float = 5e-4    # DCMH's value, decoupled (AdamW)
    alpha_fg: float = 1.0         # weight of L_sim(F, G): image–video
    alpha_hg: float = 1.0         # weight of L_sim(H, G): keyframe–video
    alpha_fh: float = 1.0         # weight of L_sim(F, H): image–keyframe
    beta: float = 1.0             # weight of the autoencoder terms Auto-F/H/G
    lam: float = 1.0              # λ of Auto-F/H/G during training (their closed-form W's and their loss)
    seed: int = 0                 # θx⁰, θy⁰, dropout, batch order, augmentation
    augment: bool = True          # random flips and shifts of the still items (image side)
    augment_p: float = 0.75       # the share of each batch's stills augmented (the rest refresh the buffers)
    balanced: bool = True         # L_sim weighs same-class and different-class pairs equally (losses.similarity_mean)
    video_input: str = "standardise"  # g's input: each dimension to unit std, or "uniform": one scale for all
    video_steps: str = "one_pass"     # t_y = ⌈n_y/N_y⌉, or "algorithm": t_y = t_x (Algorithm 1's one n)
    objective: str = "divafn"     # OBJECTIVES: what θx, θy are trained for
    gamma: float = 3.0            # divafn_plus: weight of its supervised term (docs/results.md, round 2)
    supervision: str = "linear"   # divafn_plus: SUPERVISIONS
    tau: float = 0.1              # divafn_plus, supervision "semantic": the softmax's temperature
    domain_weight: float = 1.0    # dann: weight of the domain classifier's loss (its reversal weight follows λ_p)

    def __post_init__(self):
        if self.video_input not in VIDEO_INPUTS:
            raise ValueError(f"video_input {self.video_input!r}: want {' or '.join(VIDEO_INPUTS)}")
        if self.video_steps not in VIDEO_STEPS:
            raise ValueError(f"video_steps {self.video_steps!r}: want {' or '.join(VIDEO_STEPS)}")
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective {self.objective!r}: want {' or '.join(OBJECTIVES)}")
        if self.supervision not in SUPERVISIONS:
            raise ValueError(f"supervision {self.supervision!r}: want {' or '.join(SUPERVISIONS)}")
