"""Posture families that real photos hold and CMU subjects 01-13 barely do, as angle ranges.

Limb chains are given in the anatomical angles of ``gtrs.body.joint_limits`` for a *left* limb
(degrees; a right limb is its mirror image): per bone (flex, abduct, twist) ranges, each sampled
uniformly. Reminders for reading the numbers (left side, from anny's rest A-pose): hip flex < 0 is
the thigh forward, knee flex > 0 bends the knee, ankle flex > 0 points the toes; arm abduct > 0
raises the arm sideways (rest: 42 deg from hanging), arm flex < 0 raises it forwards; elbow flex > 0
bends it (rest: 41 deg bent); twist > 0 turns a leg or an arm inwards.

A family sets the pelvis tilt (forward > 0), one or two leg chains, one or two arm chains (``None``:
taken from a captured pose, or from a random arm chain), a forward bend and a turn spread over the
three spine bones, and the whole body's orientation. Several options in a tuple are chosen between
at random.
"""
from __future__ import annotations

from dataclasses import dataclass

Range = tuple[float, float]
Chain = dict[str, tuple[Range, Range, Range]]  # left bone name -> (flex, abduct, twist) ranges

FOOT_NEUTRAL = ((-10, 20), (-10, 10), (-5, 5))
HAND_NEUTRAL = ((-20, 20), (-10, 10), (-10, 10))

LEGS: dict[str, Chain] = {
    "straight": {"LeftUpLeg": ((-10, 10), (-8, 12), (-15, 15)), "LeftLeg": ((0, 15), (0, 0), (0, 0)),
                 "LeftFoot": FOOT_NEUTRAL},
    "chair": {"LeftUpLeg": ((-100, -75), (-5, 20), (-15, 15)), "LeftLeg": ((70, 110), (0, 0), (-10, 10)),
              "LeftFoot": FOOT_NEUTRAL},
    "long_sit": {"LeftUpLeg": ((-100, -80), (-5, 15), (-15, 15)), "LeftLeg": ((0, 30), (0, 0), (0, 0)),
                 "LeftFoot": ((0, 40), (-10, 10), (-5, 5))},
    # flexed, abducted thigh: its twist about the *rest* axis is positive here (see joint_limits)
    "cross": {"LeftUpLeg": ((-70, -55), (55, 65), (35, 45)), "LeftLeg": ((130, 150), (0, 0), (-10, 10)),
              "LeftFoot": ((0, 30), (-10, 10), (-5, 5))},
    "kneel": {"LeftUpLeg": ((-15, 10), (-5, 15), (-15, 15)), "LeftLeg": ((80, 100), (0, 0), (-5, 5)),
              "LeftFoot": ((20, 50), (-10, 10), (-5, 5))},
    "seiza": {"LeftUpLeg": ((-95, -70), (-5, 15), (-10, 10)), "LeftLeg": ((135, 150), (0, 0), (-5, 5)),
              "LeftFoot": ((35, 50), (-5, 5), (-5, 5))},
    "squat": {"LeftUpLeg": ((-125, -100), (10, 30), (-20, 0)), "LeftLeg": ((110, 150), (0, 0), (-10, 10)),
              "LeftFoot": ((-25, -5), (-10, 10), (-5, 5))},
    "lunge_front": {"LeftUpLeg": ((-100, -60), (-5, 15), (-15, 15)), "LeftLeg": ((60, 100), (0, 0), (-10, 10)),
                    "LeftFoot": ((-20, 10), (-10, 10), (-5, 5))},
    "lunge_back": {"LeftUpLeg": ((5, 30), (-5, 10), (-15, 15)), "LeftLeg": ((0, 40), (0, 0), (0, 0)),
                   "LeftFoot": ((-10, 30), (-10, 10), (-5, 5))},
    "lunge_back_knee_down": {"LeftUpLeg": ((-10, 20), (-5, 10), (-10, 10)), "LeftLeg": ((80, 100), (0, 0), (0, 0)),
                             "LeftFoot": ((20, 50), (-10, 10), (-5, 5))},
    "raised": {"LeftUpLeg": ((-110, -30), (-10, 40), (-20, 20)), "LeftLeg": ((0, 120), (0, 0), (-10, 10)),
               "LeftFoot": ((-10, 40), (-10, 10), (-5, 5))},
    "knees_up": {"LeftUpLeg": ((-90, -30), (-5, 20), (-15, 15)), "LeftLeg": ((40, 120), (0, 0), (-10, 10)),
                 "LeftFoot": FOOT_NEUTRAL},
}

ARMS: dict[str, Chain] = {
    "hanging": {"LeftArm": ((-20, 20), (-45, -25), (-20, 20)), "LeftForeArm": ((-30, 30), (0, 0), (-30, 30)),
                "LeftHand": HAND_NEUTRAL},
    "overhead_side": {"LeftArm": ((-30, 10), (100, 132), (-30, 30)), "LeftForeArm": ((-40, 0), (0, 0), (-30, 30)),
                      "LeftHand": HAND_NEUTRAL},
    "overhead_front": {"LeftArm": ((-180, -150), (-20, 20), (-30, 30)), "LeftForeArm": ((-40, 0), (0, 0), (-30, 30)),
                       "LeftHand": HAND_NEUTRAL},
    # crossed arms: one forearm in front of the other (its upper arm further forward)
    "crossed": {"LeftArm": ((-35, -20), (-60, -40), (30, 60)), "LeftForeArm": ((60, 90), (0, 0), (-20, 20)),
                "LeftHand": HAND_NEUTRAL},
    "crossed_outer": {"LeftArm": ((-60, -45), (-60, -40), (30, 60)), "LeftForeArm": ((60, 90), (0, 0), (-20, 20)),
                      "LeftHand": HAND_NEUTRAL},
    "hands_on_hips": {"LeftArm": ((0, 25), (-25, 0), (20, 50)), "LeftForeArm": ((40, 70), (0, 0), (-20, 20)),
                      "LeftHand": HAND_NEUTRAL},
    "reach": {"LeftArm": ((-160, -60), (-30, 30), (-30, 30)), "LeftForeArm": ((-40, -20), (0, 0), (-30, 30)),
              "LeftHand": HAND_NEUTRAL},
    "forward_low": {"LeftArm": ((-60, -20), (-40, -20), (-20, 20)), "LeftForeArm": ((0, 40), (0, 0), (-30, 30)),
                    "LeftHand": HAND_NEUTRAL},
    "forward_mid": {"LeftArm": ((-100, -60), (-30, -10), (-20, 20)), "LeftForeArm": ((0, 40), (0, 0), (-30, 30)),
                    "LeftHand": HAND_NEUTRAL},
}


@dataclass(frozen=True)
class PostureFamily:
    name: str
    tilt: Range = (-5.0, 5.0)  # pelvis, degrees, forward > 0
    legs: tuple[str, ...] | None = None  # options from LEGS for both legs; None: captured legs
    other_leg: tuple[str, ...] | None = None  # a different second leg (its side drawn at random)
    arms: tuple[str, ...] | None = None  # options from ARMS; None: captured or random arm chains
    other_arm: tuple[str, ...] | None = None  # a different second arm; None with ``one_arm``: captured
    one_arm: bool = False  # ``arms`` sets one arm only
    spine_flex: Range = (0.0, 0.0)  # forward bend over the 3 spine bones, degrees
    spine_turn: Range = (0.0, 0.0)
    compensate_tilt: bool = False  # hips flex by the tilt so the legs stay as set (bending over)
    orientations: tuple[str, ...] = ("upright",)


FAMILIES: tuple[PostureFamily, ...] = (
    PostureFamily("sit_chair", tilt=(-15, 10), legs=("chair",), spine_flex=(0, 25)),
    PostureFamily("sit_floor", tilt=(-25, 5), legs=("long_sit",), spine_flex=(0, 35)),
    PostureFamily("sit_cross_legged", tilt=(-10, 10), legs=("cross",), spine_flex=(0, 30)),
    PostureFamily("kneel_both", tilt=(-10, 15), legs=("kneel",)),
    PostureFamily("kneel_sit_on_heels", tilt=(-10, 10), legs=("seiza",), spine_flex=(0, 20)),
    PostureFamily("kneel_one", tilt=(-10, 10), legs=("kneel",), other_leg=("lunge_front",)),
    PostureFamily("squat", tilt=(15, 45), legs=("squat",), spine_flex=(0, 20)),
    PostureFamily("crouch", tilt=(20, 45), legs=("squat",), arms=("forward_mid",), spine_flex=(10, 35)),
    PostureFamily("lie_back", legs=("straight", "knees_up"), orientations=("back",)),
    PostureFamily("lie_front", legs=("straight",), orientations=("front",)),
    PostureFamily("lie_side", legs=("straight", "knees_up"), orientations=("side",), spine_flex=(0, 30)),
    PostureFamily("bend_forward", tilt=(40, 90), legs=("straight",), compensate_tilt=True, spine_flex=(10, 45)),
    PostureFamily("lunge", tilt=(-5, 15), legs=("lunge_front",), other_leg=("lunge_back", "lunge_back_knee_down")),
    PostureFamily("arms_overhead", arms=("overhead_side", "overhead_front")),
    PostureFamily("arms_crossed", arms=("crossed",), other_arm=("crossed_outer",)),
    PostureFamily("hands_on_hips", arms=("hands_on_hips",)),
    PostureFamily("reach", arms=("reach",), one_arm=True, spine_flex=(0, 30), spine_turn=(-30, 30)),
    PostureFamily("one_leg_raised", legs=("raised",), other_leg=("straight",)),
    PostureFamily("random_in_limits", tilt=(-20, 40), legs=("random",), arms=("random",), spine_flex=(-10, 40),
                  spine_turn=(-30, 30), orientations=("upright", "upright", "lean", "inverted", "back", "side")),
)
