from pathlib import Path

import pytest

from tutor.pack.model import CodeExercise, Location, Misconception, PredictExercise, Tolerance

HERE = Location(Path("lesson.md"), 1)

REFERENCE = "def cross_entropy(logits, target):\n    return F.cross_entropy(logits, target)\n"


@pytest.fixture
def ce_exercise():
    return CodeExercise(
        id="write-cross-entropy",
        prompt="Write cross_entropy.",
        location=HERE,
        entry="cross_entropy",
        reference=REFERENCE,
        args={"logits": "randn(5, 4)", "target": "randint(0, 4, shape=(5,))"},
        cases=3,
        edge_cases=[
            {"logits": "1000 * randn(3, 6)", "target": "randint(0, 6, shape=(3,))"},
            {"logits": "randn(1, 2)", "target": "randint(0, 2, shape=(1,))"},
        ],
        tolerance=Tolerance(rel=1e-5, abs=1e-6),
        forbid=["F.cross_entropy", "nn.CrossEntropyLoss", "F.nll_loss"],
        misconceptions=[
            Misconception(
                tag="sum-not-mean",
                feedback="The default reduction is the mean over the batch, not the sum.",
                location=HERE,
                code=(
                    "def cross_entropy(logits, target):\n"
                    "    return -torch.log_softmax(logits, 1)[range(len(target)), target].sum()\n"
                ),
            )
        ],
    )


@pytest.fixture
def predict_exercise():
    return PredictExercise(
        id="float-indices",
        prompt="What happens?",
        location=HERE,
        code=(
            "x = torch.randn(3, 4)\n"
            "y = torch.tensor([3., 2., 1.])\n"
            "print(nn.CrossEntropyLoss()(x, y))\n"
        ),
    )
