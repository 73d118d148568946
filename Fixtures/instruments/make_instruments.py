#!/usr/bin/env python3
"""Writes the three bundled instrument definitions (JSON) beside this script.

Each is modelled on a real instrument (SELFIE, SELFIEforTEACHERS, Digital Mirror) but not
copied from it: area structure and scales follow the public descriptions; item texts are our
own short paraphrases. Run: python3 Fixtures/instruments/make_instruments.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

AGREE = {
    "id": "agree5",
    "options": [
        {"value": "1", "label": "Strongly disagree", "score": 1},
        {"value": "2", "label": "Disagree", "score": 2},
        {"value": "3", "label": "Slightly agree", "score": 3},
        {"value": "4", "label": "Agree", "score": 4},
        {"value": "5", "label": "Strongly agree", "score": 5},
    ],
    "missingCodes": [
        {"value": "NA", "kind": "notApplicable"},
        {"value": "PNS", "kind": "preferNotToSay"},
    ],
}

L, T, S = "leader", "teacher", "student"

# (area id, name, [(code, text, groups, optional, reverse)])
SCHOOL_AREAS = [
    ("A", "Leadership", [
        ("A1", "The school has a digital strategy", [L, T], False, False),
        ("A2", "The strategy is developed with teachers", [L, T], False, False),
        ("A3", "Leaders support new ways of teaching", [L, T], False, False),
        ("A4", "Teachers have time to explore digital teaching", [L, T], True, False),
        ("A5", "Copyright and licensing rules are known", [L, T], True, False),
    ]),
    ("B", "Collaboration and networking", [
        ("B1", "Progress with digital teaching is reviewed", [L, T], False, False),
        ("B2", "The use of technology is discussed", [L, T, S], False, False),
        ("B3", "The school has partnerships for digital learning", [L, T], False, False),
        ("B4", "Blended learning builds on partner synergies", [L, T], True, False),
    ]),
    ("C", "Infrastructure and equipment", [
        ("C1", "The infrastructure supports teaching with technology", [L, T, S], False, False),
        ("C2", "Digital devices are available for teaching", [L, T], False, False),
        ("C3", "Internet access is reliable", [L, T, S], False, False),
        ("C5", "Technical support is available", [L, T], False, False),
        ("C7", "Data protection is ensured", [L, T], False, False),
        ("C8", "Devices are available for learning", [L, T, S], False, False),
        ("C10", "Technical problems often disrupt lessons", [L, T, S], True, True),
    ]),
    ("D", "Continuing professional development", [
        ("D1", "Professional development needs are discussed", [L, T], False, False),
        ("D2", "Teachers take part in professional development", [L, T], False, False),
        ("D3", "Teachers share experience within the school", [L, T], False, False),
    ]),
    ("E", "Pedagogy: supports and resources", [
        ("E1", "Teachers search for online educational resources", [L, T], False, False),
        ("E2", "Teachers create digital resources", [L, T], False, False),
        ("E3", "Virtual learning environments are used", [L, T, S], False, False),
        ("E4", "Teachers communicate with the school community online", [L, T], False, False),
    ]),
    ("F", "Pedagogy: implementation in the classroom", [
        ("F1", "Teaching is tailored to students' needs with technology", [L, T, S], False, False),
        ("F2", "Technology fosters students' creativity", [L, T, S], False, False),
        ("F3", "Students are engaged through technology", [L, T, S], False, False),
        ("F4", "Students collaborate with digital tools", [L, T, S], False, False),
    ]),
    ("G", "Assessment practices", [
        ("G1", "Digital technologies are used to assess skills", [L, T], False, False),
        ("G3", "Feedback is given in time with technology", [L, T, S], False, False),
        ("G5", "Students reflect on their learning with technology", [L, T, S], False, False),
        ("G6", "Students give feedback on each other's work", [L, T, S], False, False),
    ]),
    ("H", "Student digital competence", [
        ("H1", "Students learn to behave safely online", [L, T, S], False, False),
        ("H3", "Students learn to check the quality of information", [L, T, S], False, False),
        ("H4", "Students learn to give credit to others' work", [L, T, S], False, False),
        ("H6", "Students learn to communicate with technology", [L, T, S], False, False),
        ("H8", "Students learn to code or program", [L, T, S], True, False),
    ]),
]


def school_self_reflection():
    items = []
    for area, _, its in SCHOOL_AREAS:
        for code, text, groups, optional, reverse in its:
            item = {"code": code, "area": area, "text": text, "groups": groups, "scale": "agree5"}
            if optional:
                item["optional"] = True
            if reverse:
                item["reverse"] = True
            items.append(item)
    return {
        "id": "school-self-reflection",
        "version": "1.0",
        "name": "School digital self-reflection (SELFIE-like)",
        "framework": "DigCompOrg",
        "groups": [
            {"id": L, "name": "School leaders"},
            {"id": T, "name": "Teachers"},
            {"id": S, "name": "Students"},
        ],
        "areas": [{"id": a, "name": n, "order": i + 1} for i, (a, n, _) in enumerate(SCHOOL_AREAS)],
        "scales": [AGREE],
        "items": items,
        "levelScheme": {
            "rule": "thresholds",
            "levels": [
                {"label": "emerging", "minimum": 1},
                {"label": "developing", "minimum": 2.5},
                {"label": "established", "minimum": 3.5},
                {"label": "leading", "minimum": 4.25},
            ],
        },
    }


TEACHER_AREAS = [
    ("1", "Professional engagement", ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]),
    ("2", "Digital resources", ["2.1", "2.2", "2.3", "2.4"]),
    ("3", "Teaching and learning", ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7"]),
    ("4", "Assessment", ["4.1", "4.2", "4.3", "4.4"]),
    ("5", "Empowering learners", ["5.1", "5.2", "5.3"]),
    ("6", "Facilitating learners' digital competence", ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8"]),
]
LEVELS6 = ["A1", "A2", "B1", "B2", "C1", "C2"]
LEVEL_NAMES = ["Newcomer", "Explorer", "Integrator", "Expert", "Leader", "Pioneer"]


def teacher_self_reflection():
    items = [
        {"code": code, "area": area, "groups": [T], "scale": "level6"}
        for area, _, codes in TEACHER_AREAS for code in codes
    ]
    return {
        "id": "teacher-self-reflection",
        "version": "1.0",
        "name": "Teacher digital competence self-reflection (SELFIEforTEACHERS-like)",
        "framework": "DigCompEdu",
        "groups": [{"id": T, "name": "Teachers"}],
        "areas": [{"id": a, "name": n, "order": i + 1} for i, (a, n, _) in enumerate(TEACHER_AREAS)],
        "scales": [{
            "id": "level6",
            "options": [
                {"value": v, "label": f"{v} {n}", "score": i + 1}
                for i, (v, n) in enumerate(zip(LEVELS6, LEVEL_NAMES))
            ],
            "missingCodes": [{"value": "PNS", "kind": "preferNotToSay"}],
        }],
        "items": items,
        "levelScheme": {
            "rule": "roundedMean",
            "levels": [{"label": v, "minimum": i + 1} for i, v in enumerate(LEVELS6)],
        },
    }


MIRROR_DOMAINS = [
    ("pedagogy", "Pedagogy", ["P1", "P2", "P3", "P4", "P5"]),
    ("change", "Change management", ["M1", "M2", "M3", "M4", "M5"]),
    ("infrastructure", "Digital infrastructure", ["I1", "I2", "I3", "I4", "I5"]),
]
LEVELS5 = [("A", "Substitution"), ("B", "Enrichment"), ("C", "Improvement"),
           ("D", "Integration"), ("E", "Amplification")]


def maturity_mirror():
    items = []
    for domain, _, codes in MIRROR_DOMAINS:
        for code in codes:
            items.append({"code": code, "area": domain, "groups": [L], "scale": "level5"})
            items.append({"code": code + "T", "area": domain, "groups": [L], "scale": "level5",
                          "targetOf": code, "text": f"Target level for {code}"})
    return {
        "id": "school-maturity-mirror",
        "version": "1.0",
        "name": "School digital maturity mirror (Digital Mirror-like)",
        "framework": "DigitalMirror",
        "groups": [{"id": L, "name": "School team"}],
        "areas": [{"id": d, "name": n, "order": i + 1} for i, (d, n, _) in enumerate(MIRROR_DOMAINS)],
        "scales": [{
            "id": "level5",
            "options": [{"value": v, "label": f"{v} {n}", "score": i + 1} for i, (v, n) in enumerate(LEVELS5)],
            "missingCodes": [],
        }],
        "items": items,
        "levelScheme": {
            "rule": "median",
            "levels": [{"label": v, "minimum": i + 1} for i, (v, _) in enumerate(LEVELS5)],
        },
    }


for name, make in [("school-self-reflection", school_self_reflection),
                   ("teacher-self-reflection", teacher_self_reflection),
                   ("school-maturity-mirror", maturity_mirror)]:
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(make(), f, indent=2)
        f.write("\n")

# The same definitions compiled into the library, so that `lae` can name them
# (`--instrument school-self-reflection`) without the Fixtures folder.
swift = [
    "// swift-format-ignore-file",
    "// Generated by Fixtures/instruments/make_instruments.py; do not edit.",
    "",
    "extension Instrument {",
    "  /// The instrument definitions bundled with the engine, by id: "
    "`school-self-reflection`,",
    "  /// `teacher-self-reflection` and `school-maturity-mirror` (the JSON files in",
    "  /// `Fixtures/instruments/`).",
    "  public static let bundledDefinitions: [String: String] = [",
]
for name in ["school-self-reflection", "teacher-self-reflection", "school-maturity-mirror"]:
    with open(os.path.join(HERE, name + ".json")) as f:
        text = f.read()
    swift.append(f'    "{name}": #"""')
    swift.extend(text.rstrip("\n").split("\n"))
    swift.append("\"\"\"#,")
swift.append("  ]")
swift.append("}")
with open(os.path.join(HERE, "..", "..", "Sources", "Ingest", "Instrument+Bundled.swift"), "w") as f:
    f.write("\n".join(swift) + "\n")
