#!/usr/bin/env python3
"""Builds vigil's labelled detection corpus: synthetic credentials generated from the vendors'
documented token formats, planted in realistic files, beside negatives of the same shapes.

    gen_corpus.py OUT_DIR [--seed N] [--scale K]

Writes OUT_DIR/files/... and OUT_DIR/labels.jsonl, one line per planted item:
    {"path": "...", "line": 12, "last_line": 12, "family": "aws", "kind": "access-key",
     "label": "positive" | "negative"}
Every line that no label names is filler (ordinary code and prose): a finding there is a false
alarm too. The formats below are taken from the vendors' documentation (prefixes, lengths,
alphabets, checksums); the generator never reads vigil's rules, so the corpus measures them
instead of echoing them. Standard library only; the same seed always gives the same corpus.
"""
import argparse
import base64
import binascii
import json
import os
import random
import string
import zlib

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
BASE32 = UPPER + "234567"

R = random.Random()


def rnd(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def base62(n, width):
    chars = DIGITS + UPPER + LOWER
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = chars[r] + out
    return out.rjust(width, "0")


def github_token(prefix):
    body = rnd(ALNUM, 30)
    return prefix + body + base62(zlib.crc32(body.encode()) & 0xFFFFFFFF, 6)


def npm_token():
    body = rnd(ALNUM, 30)
    return "npm_" + body + base62(zlib.crc32(body.encode()) & 0xFFFFFFFF, 6)


def jwt(payload=None):
    def enc(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()
    payload = payload or {"sub": rnd(DIGITS, 10), "name": "svc-" + rnd(LOWER, 6), "iat": 1700000000 + R.randint(0, 10**7)}
    return enc({"alg": "HS256", "typ": "JWT"}) + "." + enc(payload) + "." + rnd(URLSAFE, 43)


def pem_body(n_bytes=600):
    return base64.b64encode(os.urandom(0) + bytes(R.getrandbits(8) for _ in range(n_bytes))).decode()


def wrap(s, width):
    return [s[i:i + width] for i in range(0, len(s), width)]


def pem(kind="RSA PRIVATE KEY", width=64, n_bytes=900):
    return ["-----BEGIN %s-----" % kind] + wrap(pem_body(n_bytes), width) + ["-----END %s-----" % kind]


def password():
    words = ["harbor", "velvet", "quartz", "maple", "orbit", "cinder", "falcon", "meadow", "tundra", "saffron"]
    style = R.randint(0, 3)
    if style == 0:
        return R.choice(words).capitalize() + rnd(DIGITS, 3) + R.choice("!@#$%&*")
    if style == 1:
        return "-".join(R.choice(words) for _ in range(3)) + rnd(DIGITS, 2)
    if style == 2:
        return rnd(ALNUM + "!@#%^&*()", 16)
    return R.choice(words) + R.choice("@!%)") + rnd(ALNUM, 6)


# Each generator returns (family, kind, value, context-name) where context-name is the variable
# name a developer would use. Values follow the documented formats.
def g_aws_key():
    return "aws", "access-key-id", R.choice(["AKIA", "ASIA"]) + rnd(UPPER + "234567", 16), "AWS_ACCESS_KEY_ID"


def g_aws_secret():
    return "aws", "secret-access-key", rnd(ALNUM + "+/", 40), "aws_secret_access_key"


def g_github():
    p = R.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"])
    return "github", p.rstrip("_"), github_token(p), "GITHUB_TOKEN"


def g_github_fine():
    return "github", "fine-grained", "github_pat_" + rnd(ALNUM, 22) + "_" + rnd(ALNUM, 59), "GH_PAT"


def g_gitlab():
    p = R.choice(["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glft-"])
    return "gitlab", p.rstrip("-"), p + rnd(ALNUM + "-_", 20), "GITLAB_TOKEN"


def g_slack():
    p = R.choice(["xoxb", "xoxp", "xoxa", "xoxr"])
    return "slack", p, "%s-%s-%s-%s" % (p, rnd(DIGITS, 11), rnd(DIGITS, 12), rnd(ALNUM, 24)), "SLACK_TOKEN"


def g_slack_webhook():
    return ("slack", "webhook", "https://hooks.slack.com/services/T%s/B%s/%s" % (rnd(UPPER + DIGITS, 9), rnd(UPPER + DIGITS, 10), rnd(ALNUM, 24)),
            "SLACK_WEBHOOK_URL")


def g_stripe():
    p = R.choice(["sk_live_", "rk_live_", "sk_test_"])
    return "stripe", p.rstrip("_"), p + rnd(ALNUM, R.choice([24, 99])), "STRIPE_SECRET_KEY"


def g_stripe_whsec():
    return "stripe", "webhook-secret", "whsec_" + rnd(ALNUM, 32), "STRIPE_WEBHOOK_SECRET"


def g_google_api():
    return "gcp", "api-key", "AIza" + rnd(URLSAFE, 35), "GOOGLE_API_KEY"


def g_openai():
    if R.random() < 0.5:
        return "openai", "project-key", "sk-proj-" + rnd(URLSAFE, 74) + "T3BlbkFJ" + rnd(URLSAFE, 74), "OPENAI_API_KEY"
    return "openai", "user-key", "sk-" + rnd(ALNUM, 20) + "T3BlbkFJ" + rnd(ALNUM, 20), "OPENAI_API_KEY"


def g_anthropic():
    return "anthropic", "api-key", "sk-ant-api03-" + rnd(URLSAFE, 93) + "AA", "ANTHROPIC_API_KEY"


def g_hf():
    return "huggingface", "token", "hf_" + rnd(ALNUM, 34), "HF_TOKEN"


def g_sendgrid():
    return "sendgrid", "api-key", "SG." + rnd(URLSAFE, 22) + "." + rnd(URLSAFE, 43), "SENDGRID_API_KEY"


def g_twilio():
    if R.random() < 0.5:
        return "twilio", "api-key", "SK" + rnd(HEX, 32), "TWILIO_API_KEY"
    return "twilio", "auth-token", rnd(HEX, 32), "TWILIO_AUTH_TOKEN"


def g_mailgun():
    return "mailgun", "api-key", "key-" + rnd(HEX, 32), "MAILGUN_API_KEY"


def g_mailchimp():
    return "mailchimp", "api-key", rnd(HEX, 32) + "-us" + str(R.randint(1, 21)), "MAILCHIMP_API_KEY"


def g_npm():
    return "npm", "token", npm_token(), "NPM_TOKEN"


def g_pypi():
    return "pypi", "token", "pypi-AgEIcHlwaS5vcmc" + rnd(URLSAFE, 70), "PYPI_TOKEN"


def g_docker():
    return "docker", "pat", "dckr_pat_" + rnd(URLSAFE, 27), "DOCKERHUB_TOKEN"


def g_shopify():
    p = R.choice(["shpat_", "shpss_", "shpca_", "shppa_"])
    return "shopify", p.rstrip("_"), p + rnd(HEX, 32), "SHOPIFY_ACCESS_TOKEN"


def g_square():
    if R.random() < 0.5:
        return "square", "access-token", "EAAA" + rnd(URLSAFE, 60), "SQUARE_ACCESS_TOKEN"
    return "square", "oauth-secret", "sq0csp-" + rnd(URLSAFE, 43), "SQUARE_OAUTH_SECRET"


def g_discord():
    return ("discord", "bot-token", R.choice("MN") + rnd(ALNUM, 23) + "." + rnd(URLSAFE, 6) + "." + rnd(URLSAFE, 27),
            "DISCORD_BOT_TOKEN")


def g_telegram():
    return "telegram", "bot-token", rnd(DIGITS, 10) + ":AA" + rnd(URLSAFE, 33), "TELEGRAM_BOT_TOKEN"


def g_datadog():
    return "datadog", "api-key", rnd(HEX, 32), "DD_API_KEY"


def g_newrelic():
    p = R.choice(["NRAK-", "NRII-", "NRJS-"])
    return "newrelic", p.rstrip("-"), p + rnd(UPPER + DIGITS, 27), "NEW_RELIC_API_KEY"


def g_sentry():
    return ("sentry", "dsn", "https://%s@o%s.ingest.sentry.io/%s" % (rnd(HEX, 32), rnd(DIGITS, 6), rnd(DIGITS, 7)), "SENTRY_DSN")


def g_azure_storage():
    return ("azure", "storage-connection-string",
            "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s==;EndpointSuffix=core.windows.net"
            % (rnd(LOWER + DIGITS, 12), rnd(B64, 86)), "AZURE_STORAGE_CONNECTION_STRING")


def g_azure_ad():
    return "azure", "client-secret", rnd(ALNUM, 3) + str(R.randint(0, 9)) + "Q~" + rnd(ALNUM + "_~.-", 34), "AZURE_CLIENT_SECRET"


def g_digitalocean():
    p = R.choice(["dop_v1_", "doo_v1_", "dor_v1_"])
    return "digitalocean", p.rstrip("_"), p + rnd(HEX, 64), "DIGITALOCEAN_TOKEN"


def g_vault():
    return "vault", "service-token", "hvs." + rnd(URLSAFE, 90), "VAULT_TOKEN"


def g_terraform():
    return "terraform", "api-token", rnd(ALNUM, 14) + ".atlasv1." + rnd(URLSAFE, 67), "TFE_TOKEN"


def g_pulumi():
    return "pulumi", "access-token", "pul-" + rnd(HEX, 40), "PULUMI_ACCESS_TOKEN"


def g_doppler():
    return "doppler", "service-token", "dp.st." + rnd(LOWER, 5) + "." + rnd(ALNUM, 40), "DOPPLER_TOKEN"


def g_linear():
    return "linear", "api-key", "lin_api_" + rnd(ALNUM, 40), "LINEAR_API_KEY"


def g_notion():
    return "notion", "integration", "secret_" + rnd(ALNUM, 43), "NOTION_TOKEN"


def g_airtable():
    return "airtable", "pat", "pat" + rnd(ALNUM, 14) + "." + rnd(HEX, 64), "AIRTABLE_TOKEN"


def g_postman():
    return "postman", "api-key", "PMAK-" + rnd(HEX, 24) + "-" + rnd(HEX, 34), "POSTMAN_API_KEY"


def g_planetscale():
    return "planetscale", "token", "pscale_tkn_" + rnd(URLSAFE, 43), "PLANETSCALE_TOKEN"


def g_databricks():
    return "databricks", "token", "dapi" + rnd(HEX, 32), "DATABRICKS_TOKEN"


def g_sonar():
    p = R.choice(["squ_", "sqp_", "sqa_"])
    return "sonarqube", p.rstrip("_"), p + rnd(HEX, 40), "SONAR_TOKEN"


def g_age():
    return "age", "secret-key", "AGE-SECRET-KEY-1" + rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".upper(), 58), "AGE_KEY"


def g_alibaba():
    return "alibaba", "access-key-id", "LTAI" + rnd(ALNUM, 20), "ALIBABA_CLOUD_ACCESS_KEY_ID"


def g_tencent():
    return "tencent", "secret-id", "AKID" + rnd(ALNUM, 32), "TENCENTCLOUD_SECRET_ID"


def g_grafana():
    return "grafana", "service-account", "glsa_" + rnd(ALNUM, 32) + "_" + rnd(HEX, 8), "GRAFANA_TOKEN"


def g_jwt():
    return "jwt", "token", jwt(), "session_token"


def g_password():
    name = R.choice(["password", "db_password", "DB_PASS", "passwd", "admin_password", "smtp_password",
                     "POSTGRES_PASSWORD", "mysql_root_password", "keystore_password", "pwd"])
    return "password", "assignment", password(), name


def g_db_url():
    user = R.choice(["app", "admin", "svc_orders", "root"])
    pw = password()
    quoted = pw.replace("%", "%25").replace("@", "%40").replace("/", "%2F").replace(":", "%3A").replace("#", "%23")
    scheme, host = R.choice([("postgres", "db.internal:5432/orders"), ("postgresql", "10.0.3.4/app"),
                             ("mysql", "mysql.prod:3306/shop"), ("mongodb+srv", "cluster0.abcde.mongodb.net/test"),
                             ("redis", "cache.prod:6379/0"), ("amqp", "mq.internal:5672/vhost"),
                             ("smtp", "mail.example.net:587"), ("ftp", "files.example.net"),
                             ("ldap", "ldap.corp.example:389"), ("https", "registry.internal.example/v2")])
    return "connection-string", scheme, "%s://%s:%s@%s" % (scheme, user, quoted, host), "DATABASE_URL"


def g_basic_header():
    cred = base64.b64encode(("%s:%s" % (R.choice(["deploy", "api", "ci"]), password())).encode()).decode()
    return "http-auth", "basic", "Basic " + cred, "Authorization"


def g_bearer_header():
    return "http-auth", "bearer", "Bearer " + rnd(URLSAFE, 40), "Authorization"


def g_otp():
    return "otp", "totp-seed", "otpauth://totp/Example:%s?secret=%s&issuer=Example" % (rnd(LOWER, 6), rnd(BASE32, 32)), "otp_uri"


def g_generic_named():
    name = R.choice(["consumer_key", "consumer_secret", "oauth_token_secret", "Apitoken", "client_secret",
                     "api_secret", "signing_key", "webhook_secret", "app_secret", "private_token"])
    return "generic", name, rnd(ALNUM, R.choice([24, 32, 40])), name


GENERATORS = [g_aws_key, g_aws_secret, g_github, g_github_fine, g_gitlab, g_slack, g_slack_webhook, g_stripe,
              g_stripe_whsec, g_google_api, g_openai, g_anthropic, g_hf, g_sendgrid, g_twilio, g_mailgun,
              g_mailchimp, g_npm, g_pypi, g_docker, g_shopify, g_square, g_discord, g_telegram, g_datadog,
              g_newrelic, g_sentry, g_azure_storage, g_azure_ad, g_digitalocean, g_vault, g_terraform, g_pulumi,
              g_doppler, g_linear, g_notion, g_airtable, g_postman, g_planetscale, g_databricks, g_sonar, g_age,
              g_alibaba, g_tencent, g_grafana, g_jwt, g_password, g_db_url, g_basic_header, g_bearer_header,
              g_otp, g_generic_named]

# Negatives: same shapes, not secrets (placeholders, documented examples, hashes, ids, templates).
NEGATIVES = [
    ("placeholder", lambda: R.choice(["YOUR_API_KEY_HERE", "<your-token>", "changeme", "xxxxxxxxxxxxxxxxxxxx",
                                      "REPLACE_ME", "${API_TOKEN}", "{{ .Values.apiKey }}", "%(password)s",
                                      "process.env.API_KEY", "os.environ['SECRET_KEY']", "vault:secret/data/app#token",
                                      "********", "<redacted>", "dummy", "example", "none", "null", "TODO"])),
    ("aws-doc-example", lambda: R.choice(["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"])),
    ("sha256", lambda: rnd(HEX, 64)),
    ("sha1", lambda: rnd(HEX, 40)),
    ("uuid", lambda: "%s-%s-%s-%s-%s" % (rnd(HEX, 8), rnd(HEX, 4), rnd(HEX, 4), rnd(HEX, 4), rnd(HEX, 12))),
    ("integrity", lambda: "sha512-" + base64.b64encode(bytes(R.getrandbits(8) for _ in range(64))).decode()),
    ("short-prefix", lambda: R.choice(["ghp_", "sk_live_", "xoxb-", "AKIA", "glpat-"]) + rnd(ALNUM, 6)),
    ("publishable", lambda: "pk_live_" + rnd(ALNUM, 24)),
    ("version", lambda: "%d.%d.%d" % (R.randint(0, 9), R.randint(0, 40), R.randint(0, 99))),
    ("var-reference", lambda: R.choice(["$DB_PASSWORD", "${{ secrets.NPM_TOKEN }}", "env(STRIPE_KEY)", "ENV['TOKEN']",
                                        "!vault |", "ref+vault://secret/app#/token", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app"])),
]

NEGATIVE_NAMES = {
    "aws-doc-example": ["AWS_ACCESS_KEY_ID", "aws_secret_access_key"],
    "sha256": ["checksum", "sha256", "digest", "content_hash"],
    "sha1": ["commit", "revision", "git_sha", "etag"],
    "uuid": ["request_id", "tenant_id", "correlation_id", "project_id"],
    "integrity": ["integrity"],
    "publishable": ["STRIPE_PUBLISHABLE_KEY", "publishableKey"],
    "version": ["version", "app_version"],
}

FILLER = {
    "py": ["import os", "import logging", "", "log = logging.getLogger(__name__)", "",
           "def handler(event, context):", "    items = event.get('items', [])", "    return {'count': len(items)}", ""],
    "js": ["'use strict';", "const path = require('path');", "", "function sum(xs) {", "  return xs.reduce((a, b) => a + b, 0);",
           "}", "module.exports = { sum };", ""],
    "go": ["package config", "", "import \"os\"", "", "func Port() string {", "\tif p := os.Getenv(\"PORT\"); p != \"\" {",
           "\t\treturn p", "\t}", "\treturn \"8080\"", "}", ""],
    "java": ["package com.example.app;", "", "public class Settings {", "    private final int retries = 3;", "}", ""],
    "rb": ["require 'json'", "", "module App", "  VERSION = '1.4.2'", "end", ""],
    "yaml": ["# service configuration", "service:", "  name: orders", "  replicas: 3", "  port: 8080"],
    "env": ["# local development settings", "APP_ENV=development", "LOG_LEVEL=debug", "PORT=3000"],
    "sh": ["#!/bin/sh", "set -eu", "echo \"deploying $APP\"", "cd /srv/app"],
    "log": ["2026-11-02T10:14:03Z INFO starting worker pid=4121", "2026-11-02T10:14:04Z INFO connected to queue"],
}


class Corpus:
    def __init__(self, out):
        self.out = out
        self.labels = []
        self.n = 0

    def write(self, rel, lines, plants):
        """lines: list of str; plants: list of (line_index0, last_index0, family, kind, label)."""
        path = os.path.join(self.out, "files", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", newline="") as f:
            f.write("\n".join(lines) + "\n")
        for (i, j, fam, kind, label) in plants:
            self.labels.append({"path": rel, "line": i + 1, "last_line": j + 1, "family": fam, "kind": kind, "label": label})

    def write_bytes(self, rel, data, plants):
        path = os.path.join(self.out, "files", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        for (i, j, fam, kind, label) in plants:
            self.labels.append({"path": rel, "line": i + 1, "last_line": j + 1, "family": fam, "kind": kind, "label": label})


def assignment(ctx, name, value):
    """One line assigning `value` to `name` in the syntax of context `ctx`."""
    if ctx == "py":
        return "%s = \"%s\"" % (name.lower(), value)
    if ctx == "js":
        return "const %s = '%s';" % (name.lower(), value)
    if ctx == "go":
        return "\t%s := \"%s\"" % (name[0].lower() + name[1:].replace("_", ""), value)
    if ctx == "java":
        return "    private static final String %s = \"%s\";" % (name.upper(), value)
    if ctx == "rb":
        return "  %s = '%s'" % (name.upper(), value)
    if ctx == "yaml":
        return "  %s: %s" % (name.lower(), value)
    if ctx == "env":
        return "%s=%s" % (name.upper(), value)
    if ctx == "sh":
        return "export %s=\"%s\"" % (name.upper(), value)
    if ctx == "log":
        return "2026-11-02T10:15:00Z DEBUG config %s=%s" % (name.lower(), value)
    raise ValueError(ctx)


EXT = {"py": "py", "js": "js", "go": "go", "java": "java", "rb": "rb", "yaml": "yaml", "env": "env", "sh": "sh", "log": "log"}


def plant_simple(c, idx, gen, label="positive", neg=None):
    ctx = R.choice(list(FILLER))
    lines = list(FILLER[ctx])
    if label == "positive":
        fam, kind, value, name = gen()
    else:
        kind, mk = neg
        fam, value = "negative", mk()
        # Each negative under the name it has in real code: a checksum is called a checksum.
        name = R.choice(NEGATIVE_NAMES.get(kind, ["api_key", "token", "password", "secret", "client_secret"]))
    at = R.randint(1, len(lines))
    lines.insert(at, assignment(ctx, name, value))
    rel = "%s/%s/%04d.%s" % (label, fam, idx, EXT[ctx])
    if ctx == "env":
        rel = "%s/%s/%04d/.env" % (label, fam, idx)
    c.write(rel, lines, [(at, at, fam, kind, label)])


def plant_special(c, idx):
    """Contexts that need more than an assignment: keys and encodings."""
    out = []
    choice = idx % 12
    if choice == 0:  # PEM in a file, 64 columns
        lines = ["# deploy key"] + pem(R.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"]))
        c.write("positive/private-key/%04d.pem" % idx, lines, [(1, len(lines) - 1, "private-key", "pem", "positive")])
    elif choice == 1:  # PEM at 76 columns with CRLF
        body = pem("RSA PRIVATE KEY", 76)
        c.write_bytes("positive/private-key/%04d-crlf.key" % idx, ("\r\n".join(body) + "\r\n").encode(),
                      [(0, len(body) - 1, "private-key", "pem-crlf", "positive")])
    elif choice == 2:  # PEM inside JSON with \n escapes (GCP service account shape)
        key = "\\n".join(pem("PRIVATE KEY", 64)) + "\\n"
        lines = ["{", '  "type": "service_account",', '  "project_id": "orders-%s",' % rnd(DIGITS, 6),
                 '  "private_key_id": "%s",' % rnd(HEX, 40), '  "private_key": "%s",' % key,
                 '  "client_email": "svc@orders.iam.gserviceaccount.com"', "}"]
        # The whole file is the credential: its key id is reported as well as its key.
        c.write("positive/private-key/%04d-sa.json" % idx, lines, [(1, 5, "private-key", "json-escaped", "positive")])
    elif choice == 3:  # OpenSSH key
        lines = ["-----BEGIN OPENSSH PRIVATE KEY-----"] + wrap("b3BlbnNzaC1rZXktdjEAAAAA" + pem_body(400), 70) + \
                ["-----END OPENSSH PRIVATE KEY-----"]
        c.write("positive/private-key/%04d_ed25519" % idx, lines, [(0, len(lines) - 1, "private-key", "openssh", "positive")])
    elif choice == 4:  # PEM split over string concatenation
        body = wrap(pem_body(700), 64)
        lines = ["KEY = (", '    "-----BEGIN RSA PRIVATE KEY-----\\n"'] + ['    "%s\\n"' % b for b in body] + \
                ['    "-----END RSA PRIVATE KEY-----\\n"', ")"]
        c.write("positive/private-key/%04d_concat.py" % idx, lines, [(1, len(lines) - 2, "private-key", "concatenated", "positive")])
    elif choice == 5:  # notebook: JSON array of lines
        fam, kind, value, name = R.choice([g_openai, g_aws_key, g_hf, g_anthropic])()
        nb = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                         "source": ["import os\n", "%s = \"%s\"\n" % (name.lower(), value), "client = connect()\n"]}],
              "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        text = json.dumps(nb, indent=1).split("\n")
        line = next(i for i, l in enumerate(text) if value in l)
        c.write("positive/%s/%04d.ipynb" % (fam, idx), text, [(line, line, fam, kind + "-notebook", "positive")])
    elif choice == 6:  # Kubernetes Secret: base64 values
        fam, kind, value, name = R.choice([g_github, g_stripe, g_slack, g_sendgrid])()
        lines = ["apiVersion: v1", "kind: Secret", "metadata:", "  name: app", "type: Opaque", "data:",
                 "  %s: %s" % (name.lower(), base64.b64encode(value.encode()).decode())]
        c.write("positive/%s/%04d-secret.yaml" % (fam, idx), lines, [(6, 6, fam, kind + "-k8s-base64", "positive")])
    elif choice == 7:  # UTF-16LE text with BOM
        fam, kind, value, name = R.choice([g_aws_key, g_github, g_gitlab, g_stripe])()
        text = "\n".join(["; settings", "[auth]", "%s=%s" % (name, value), "retries=3"]) + "\n"
        data = R.choice([b"\xff\xfe" + text.encode("utf-16-le"), text.encode("utf-16-le"), b"\xfe\xff" + text.encode("utf-16-be")])
        c.write_bytes("positive/%s/%04d-utf16.ini" % (fam, idx), data, [(2, 2, fam, kind + "-utf16", "positive")])
    elif choice == 8:  # recorded HTTP fixture with Authorization header
        fam, kind, value, name = R.choice([g_bearer_header, g_basic_header])()
        lines = ["interactions:", "- request:", "    method: GET", "    uri: https://api.example.net/v1/orders",
                 "    headers:", "      Authorization: ['%s']" % value, "  response:", "    status: {code: 200}"]
        c.write("positive/%s/%04d-cassette.yaml" % (fam, idx), lines, [(5, 5, fam, kind, "positive")])
    elif choice == 9:  # Dockerfile / CI config
        fam, kind, value, name = R.choice([g_npm, g_pypi, g_docker, g_gitlab, g_github])()
        lines = ["FROM node:20-slim", "WORKDIR /app", "ENV %s=%s" % (name, value), "RUN npm ci", "CMD [\"node\", \"server.js\"]"]
        c.write("positive/%s/%04d/Dockerfile" % (fam, idx), lines, [(2, 2, fam, kind + "-dockerfile", "positive")])
    elif choice == 10:  # Terraform
        fam, kind, value, name = R.choice([g_aws_secret, g_digitalocean, g_azure_ad, g_password])()
        lines = ['provider "example" {', '  region = "eu-west-1"', '  %s = "%s"' % (name.lower(), value), "}"]
        c.write("positive/%s/%04d.tf" % (fam, idx), lines, [(2, 2, fam, kind + "-terraform", "positive")])
    else:  # shell history
        fam, kind, value, name = R.choice([g_db_url, g_password, g_github, g_stripe])()
        if fam == "password":
            cmd = "mysql -u root -p'%s' orders" % value
        else:
            cmd = "curl -H 'Authorization: token %s' https://api.example.net" % value if fam != "connection-string" else "psql '%s'" % value
        lines = ["ls -la", "git status", cmd, "exit"]
        c.write("positive/%s/%04d.bash_history" % (fam, idx), lines, [(2, 2, fam, kind + "-history", "positive")])
    return out


def awkward_password():
    """A generated password holding the characters URI parsers trip on, used raw in the URI."""
    core = rnd(ALNUM, R.randint(8, 14))
    for ch in R.sample(["@", "!", ")", "#", ":", "%21", "%40", "(", "*", "~"], 2):
        at = R.randint(1, len(core) - 1)
        core = core[:at] + ch + core[at:]
    return core


def concat_lines(lang, lines):
    """`lines` (with their \\n) as one string value split over concatenation in `lang`."""
    esc = [l.replace("\n", "\\n") for l in lines]
    if lang == "java":
        return ["String key ="] + ['    "%s"%s' % (l, " +" if i + 1 < len(esc) else ";") for i, l in enumerate(esc)]
    if lang == "js":
        return ["const key ="] + ["  '%s'%s" % (l, " +" if i + 1 < len(esc) else ";") for i, l in enumerate(esc)]
    if lang == "go":
        return ["var key = \"\" +"] + ['\t"%s"%s' % (l, " +" if i + 1 < len(esc) else "") for i, l in enumerate(esc)]
    if lang == "cs":
        return ["var key = "] + ['    @"%s"%s' % (l.replace("\\n", ""), " + \"\\n\" +" if i + 1 < len(esc) else ";")
                                for i, l in enumerate(esc)]
    return ["key = ("] + ['    "%s"' % l for l in esc] + [")"]


def plant_depth(c, idx):
    """Contexts and encodings of issue 23's depth items: wide text, wrapped base64, split keys,
    connection strings with awkward passwords. Each with a negative of the same shape."""
    choice = idx % 10
    if choice == 0:  # UTF-32 and BOM-less UTF-16 of either byte order, CRLF
        fam, kind, value, name = R.choice([g_aws_key, g_github, g_gitlab, g_stripe, g_openai])()
        text = "\r\n".join(["; exported settings", "[auth]", "user=deploy", "%s=%s" % (name, value), "retries=3"]) + "\r\n"
        enc = R.choice(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
        data = text.encode(enc)
        c.write_bytes("positive/%s/%04d-%s.ini" % (fam, idx, enc), data, [(3, 3, fam, kind + "-" + enc, "positive")])
        clean = "\r\n".join(["; exported settings", "[auth]", "user=deploy", "retries=3"]) + "\r\n"
        c.write_bytes("negative/wide-text/%04d-%s.ini" % (idx, enc), clean.encode(enc), [(0, 3, "negative", "wide-clean", "negative")])
    elif choice == 1:  # base64 wrapped at 76 (MIME) or 64 columns, LF or CRLF: an encoded .env
        fam, kind, value, name = R.choice([g_github, g_slack, g_stripe, g_sendgrid, g_openai])()
        env = "\n".join(["# exported for the deployment job", "APP_ENV=production", "LOG_LEVEL=info",
                          "FEATURES=search,export,billing", "%s=%s" % (name.upper(), value), "RETRIES=3"]) + "\n"
        body = wrap(base64.b64encode(env.encode()).decode(), R.choice([76, 64]))
        eol = R.choice(["\n", "\r\n"])
        head = ["MIME-Version: 1.0", "Content-Type: text/plain", "Content-Transfer-Encoding: base64", ""]
        lines = head + body
        c.write_bytes("positive/%s/%04d-mime.eml" % (fam, idx), (eol.join(lines) + eol).encode(),
                      [(len(head), len(lines) - 1, fam, kind + "-b64-wrapped", "positive")])
        noise = wrap(base64.b64encode(bytes(R.getrandbits(8) for _ in range(400))).decode(), 76)
        c.write("negative/b64-wrapped/%04d.eml" % idx, head + noise, [(len(head), len(head) + len(noise) - 1, "negative", "b64-binary", "negative")])
    elif choice in (2, 3, 4):  # private keys: narrow wrap, YAML block, notebook, concatenation
        kind_label = R.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
        width = R.choice([40, 48, 56, 60, 70, 72, 76, 80])
        key = pem(kind_label, width)
        if choice == 2:
            lines = ["tls:", "  key: |"] + ["    " + l for l in key] + ["  other: 1"]
            c.write("positive/private-key/%04d-block.yaml" % idx, lines,
                    [(2, len(lines) - 2, "private-key", "yaml-block-w%d" % width, "positive")])
        elif choice == 3:
            src = ["key = \"\"\"\n"] + [l + "\n" for l in key] + ["\"\"\"\n"]
            nb = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [], "source": src}],
                  "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            text = json.dumps(nb, indent=1).split("\n")
            first = next(i for i, l in enumerate(text) if "-----BEGIN" in l)
            last = next(i for i, l in enumerate(text) if "-----END" in l)
            c.write("positive/private-key/%04d.ipynb" % idx, text, [(first, last, "private-key", "notebook-lines", "positive")])
        else:
            lang = R.choice(["java", "js", "go", "cs", "py"])
            lines = concat_lines(lang, [l + "\n" for l in key])
            c.write("positive/private-key/%04d-concat.%s" % (idx, lang), lines,
                    [(1, len(lines) - 1, "private-key", "concat-" + lang, "positive")])
        pub = ["-----BEGIN PUBLIC KEY-----"] + wrap(pem_body(300), width) + ["-----END PUBLIC KEY-----"]
        c.write("negative/public-key/%04d.pem" % idx, pub, [(0, len(pub) - 1, "negative", "public-key", "negative")])
    elif choice in (5, 6, 7):  # connection strings: any scheme, raw awkward characters
        scheme, host = R.choice([("postgresql", "pg.internal:5432/orders"), ("mysql", "db.prod:3306/shop"),
                                 ("mariadb", "10.0.0.7/app"), ("mongodb+srv", "cluster0.ab1cd.mongodb.net/prod"),
                                 ("rediss", "cache.prod:6380/0"), ("amqps", "mq.internal:5671/vhost"),
                                 ("sqlserver", "sql01.corp:1433"), ("ldaps", "ldap.corp.example:636"),
                                 ("smtps", "mail.example.net:465"), ("ftp", "files.example.net"),
                                 ("sftp", "files.example.net:22"), ("kafka", "broker-1.example.net:9093"),
                                 ("memcached", "cache.internal:11211"), ("couchdb", "couch.example.net:5984"),
                                 ("neo4j+s", "graph.example.net:7687"), ("clickhouse", "ch.example.net:8443"),
                                 ("nats", "nats.internal:4222"), ("https", "registry.example.net/v2"),
                                 ("jdbc:postgresql", "pg.internal:5432/bi")])
        user = R.choice(["app", "svc_orders", "etl", "deploy", ""])
        value = "%s://%s:%s@%s" % (scheme, user, awkward_password(), host)
        ctx = R.choice(["env", "yaml", "py", "sh", "log", "java"])
        lines = list(FILLER[ctx])
        at = R.randint(1, len(lines))
        lines.insert(at, assignment(ctx, R.choice(["DATABASE_URL", "BROKER_URL", "CACHE_URL", "dsn", "connection"]), value))
        rel = "positive/connection-string/%04d.%s" % (idx, EXT[ctx]) if ctx != "env" else "positive/connection-string/%04d/.env" % idx
        c.write(rel, lines, [(at, at, "connection-string", scheme + "-awkward", "positive")])
        bad = R.choice(["password", "${DB_PASSWORD}", "<password>", "****", "changeme", "%s", "$DB_PASS", "{{ db_pass }}",
                        "your-password-here", "xxxxxxxx"])
        neg = "%s://%s:%s@%s" % (scheme, user or "user", bad, R.choice([host, "localhost:5432/app"]))
        lines = list(FILLER[ctx])
        lines.insert(at, assignment(ctx, "DATABASE_URL", neg))
        c.write("negative/connection-string/%04d.%s" % (idx, EXT[ctx]), lines, [(at, at, "negative", "uri-placeholder", "negative")])
    else:  # ADO.NET connection strings in appsettings.json
        pw = rnd(ALNUM, 10) + R.choice(["!", "#", ")", "@"]) + rnd(ALNUM, 4)
        cs = "Server=tcp:sql-%s.database.windows.net,1433;Initial Catalog=erp;User ID=app;Password=%s;Encrypt=True;" % (rnd(LOWER, 6), pw)
        lines = ["{", '  "ConnectionStrings": {', '    "Default": "%s"' % cs, "  }", "}"]
        c.write("positive/connection-string/%04d-appsettings.json" % idx, lines, [(2, 2, "connection-string", "ado-net", "positive")])
        neg = cs.replace(pw, R.choice(["<password>", "${SQL_PASSWORD}", "{your_password}"]))
        lines = ["{", '  "ConnectionStrings": {', '    "Default": "%s"' % neg, "  }", "}"]
        c.write("negative/connection-string/%04d-appsettings.json" % idx, lines, [(2, 2, "negative", "ado-placeholder", "negative")])
        # Token variants by region: New Relic EU-region license keys (eu01xx + 30 hex + NRAL) beside US ones.
        key = R.choice(["eu01xx" + rnd(HEX, 30), rnd(HEX, 36)]) + "NRAL"
        lines = ["common: &default_settings", "  license_key: '%s'" % key, "  app_name: orders"]
        c.write("positive/newrelic/%04d-newrelic.yml" % idx, lines,
                [(1, 1, "newrelic", "license-eu" if key.startswith("eu01xx") else "license", "positive")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--scale", type=int, default=6, help="positives per generator")
    a = ap.parse_args()
    R.seed(a.seed)
    c = Corpus(a.out)
    idx = 0
    for gen in GENERATORS:
        for _ in range(a.scale):
            plant_simple(c, idx, gen)
            idx += 1
    for _ in range(12 * a.scale):
        plant_special(c, idx)
        idx += 1
    for _ in range(10 * a.scale):
        plant_depth(c, idx)
        idx += 1
    for neg in NEGATIVES:
        for _ in range(a.scale * 3):
            plant_simple(c, idx, None, "negative", neg)
            idx += 1
    with open(os.path.join(a.out, "labels.jsonl"), "w") as f:
        for l in c.labels:
            f.write(json.dumps(l) + "\n")
    pos = sum(1 for l in c.labels if l["label"] == "positive")
    print("corpus: %d files, %d positives, %d negatives in %s" % (idx, pos, len(c.labels) - pos, a.out))


if __name__ == "__main__":
    main()
