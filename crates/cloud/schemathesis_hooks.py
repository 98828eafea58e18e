"""Schemathesis hooks for the cloud's contract run (scripts/schemathesis.sh).

A fresh account and token every few seconds: the fuzzer calls sign-out, password change,
device removal and account deletion with the token it holds, which end that sign-in. With one
token for the whole run, every signed-in operation after that would only be answered 401, and
the run would test little but the token check.
"""

import os
import uuid

import requests
import schemathesis

BASE_URL = os.environ["SYNCER_FUZZ_BASE_URL"]


@schemathesis.auth(refresh_interval=2)
class FreshAccount:
    def get(self, case, context):
        response = requests.post(
            f"{BASE_URL}/v1/auth/register",
            json={
                "email": f"fuzz-{uuid.uuid4().hex}@example.org",
                "password": "a long password",
                "device_name": "fuzzer",
            },
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
