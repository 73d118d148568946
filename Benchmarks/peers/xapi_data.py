#!/usr/bin/env python3
"""Writes N synthetic xAPI 1.0.3 statements as JSON Lines (about 340 bytes each), all valid.

Usage: xapi_data.py N OUT [SEED]. 2000 teachers (accounts), 8 ADL verbs, 500 activities,
6 platforms; times over 2024 with milliseconds; a third carry a result with score and duration;
every statement has a UUID and two context extensions. Deterministic for a seed.
"""
import random
import sys
import uuid

n = int(sys.argv[1])
out = sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
verbs = ["launched", "completed", "passed", "failed", "attempted", "experienced", "answered",
         "progressed"]
platforms = ["Moodle", "QuizTool", "Padlet", "Kahoot", "eKool", "H5P"]
base = 1704067200  # 2024-01-01T00:00:00Z
with open(out, "w") as f:
    for i in range(n):
        teacher = rng.randrange(2000)
        t = base + rng.randrange(300 * 86400)
        ms = rng.randrange(1000)
        stamp = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
            *__import__("time").gmtime(t)[:6], ms)
        sid = uuid.UUID(int=rng.getrandbits(128), version=4)
        verb = rng.choice(verbs)
        result = ""
        if rng.random() < 1 / 3:
            result = (',"result":{"score":{"scaled":%.2f,"raw":%d,"min":0,"max":10},'
                      '"success":%s,"completion":true,"duration":"PT%dM%dS"}') % (
                rng.random(), rng.randrange(11), "true" if rng.random() < 0.7 else "false",
                rng.randrange(60), rng.randrange(60))
        f.write(
            '{"id":"%s","actor":{"objectType":"Agent","account":{"homePage":"https://lrs.example",'
            '"name":"t%04d"}},"verb":{"id":"http://adlnet.gov/expapi/verbs/%s"},'
            '"object":{"id":"https://tools.example/activity/%d"},"timestamp":"%s"%s,'
            '"context":{"platform":"%s","extensions":{"https://w3id.org/xapi/cmi5/context/'
            'extensions/sessionid":"s%d","https://example.org/ext/school":"S%02d"}}}\n'
            % (sid, teacher, verb, rng.randrange(500), stamp, result, rng.choice(platforms),
               rng.randrange(10**6), teacher % 75))
