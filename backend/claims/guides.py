"""Guided questions before a claim, per product category: simple problems get solved on the
spot, without a claim (seeds 000: customers help themselves; no ticket for simple things).

Each question is answered yes or no. When the answer is ``tip_if``, the portal shows the tip
and a "That fixed it" button; the answers go with the claim either way, so the desk does not
ask again.
"""

from django.utils.translation import gettext_lazy as _

_RESTART = {
    "id": "restarted",
    "question": _("Have you switched it off and on again?"),
    "tip_if": "no",
    "tip": _(
        "Switch it off completely, wait 30 seconds and switch it on again: many faults clear "
        "this way."
    ),
}
_POWER = {
    "id": "other_outlet",
    "question": _("Have you tried another power outlet or charger?"),
    "tip_if": "no",
    "tip": _("Try another outlet, cable or charger: a worn cable often looks like a dead device."),
}
_UPDATE = {
    "id": "updated",
    "question": _("Is its software up to date?"),
    "tip_if": "no",
    "tip": _("Install the latest update from the settings menu, then try again."),
}
_DAMAGE = {
    "id": "physical_damage",
    "question": _("Is there any visible damage, such as cracks, dents or liquid marks?"),
    "tip_if": None,
    "tip": "",
}

GUIDES = {
    "phones": [_RESTART, _POWER, _UPDATE, _DAMAGE],
    "tablets": [_RESTART, _POWER, _UPDATE, _DAMAGE],
    "laptops": [_RESTART, _POWER, _UPDATE, _DAMAGE],
    "wearables": [_RESTART, _POWER, _UPDATE, _DAMAGE],
    "gaming": [_RESTART, _POWER, _UPDATE, _DAMAGE],
    "tvs": [
        _RESTART,
        {
            "id": "input_checked",
            "question": _("Have you checked the input source and the cables?"),
            "tip_if": "no",
            "tip": _(
                "Press the input (source) button on the remote, and reseat the HDMI cables at "
                "both ends."
            ),
        },
        _UPDATE,
        _DAMAGE,
    ],
    "audio": [
        _RESTART,
        _POWER,
        {
            "id": "paired_again",
            "question": _("Have you removed and paired the device again?"),
            "tip_if": "no",
            "tip": _("Forget the device in your Bluetooth settings, then pair it again."),
        },
        _DAMAGE,
    ],
    "cameras": [_RESTART, _POWER, _DAMAGE],
    "major-appliances": [
        {
            "id": "breaker",
            "question": _("Have you checked the circuit breaker or fuse?"),
            "tip_if": "no",
            "tip": _("Check the breaker or fuse for the appliance's circuit and reset it."),
        },
        {
            "id": "error_code",
            "question": _("Does the display show an error code?"),
            "tip_if": "yes",
            "tip": _(
                "Look the code up in the manual: some codes only ask for a filter to be "
                "cleaned or a door to be closed properly."
            ),
        },
        _DAMAGE,
    ],
    "small-appliances": [_POWER, _DAMAGE],
}
DEFAULT = [_RESTART, _POWER, _DAMAGE]


def guide_for(category: str) -> list[dict]:
    return [
        {
            "id": q["id"],
            "question": str(q["question"]),
            "tip_if": q["tip_if"],
            "tip": str(q["tip"]),
        }
        for q in GUIDES.get(category, DEFAULT)
    ]


_ANSWERS = {"yes": _("Yes"), "no": _("No")}


def answers_shown(category: str, answers: dict) -> list[dict[str, str]]:
    """The shopper's guided answers as the desk reads them: each question in words, in the
    active language, with its answer; in the guide's order, then any others as they came."""
    questions = {q["id"]: q["question"] for q in GUIDES.get(category, DEFAULT)}
    questions.update(
        {
            q["id"]: q["question"]
            for guide in GUIDES.values()
            for q in guide
            if q["id"] not in questions
        }
    )
    order = [q["id"] for q in GUIDES.get(category, DEFAULT)]
    keys = [k for k in order if k in answers] + [k for k in answers if k not in order]
    return [
        {
            "id": key,
            "question": str(questions.get(key, key)),
            "answer": str(_ANSWERS.get(str(answers[key]), answers[key])),
        }
        for key in keys
    ]
