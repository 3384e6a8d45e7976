#!/usr/bin/env python3
"""Builds vigil's labelled REAL-CODE corpus: credentials the way developers leave them in source and
config files (low-entropy passwords, keys and tokens under project-specific names, HTTP fixtures,
CLI flags, OTP seeds), beside hard negatives of the same shape (prompts, environment and vault
references, templates, form-field names, i18n strings, hashes, ids, validation tests, code).

    gen_code_corpus.py OUT_DIR [--seed N] [--scale K]

Writes OUT_DIR/files/... and OUT_DIR/labels.jsonl in bench/quality's label format:
    {"path": "...", "line": 12, "last_line": 12, "family": "password", "kind": "py",
     "label": "positive" | "negative"}
family is the credential category (password, named-secret, http-auth, cli, otp) for positives and
"neg-<category>" for negatives; kind is the file type the item sits in. Lines no label names are
filler: a finding there is a false alarm. The generator never reads vigil's rules. Standard library
only; the same seed always gives the same corpus. Every value is synthetic.
"""
import argparse
import base64
import json
import os
import random
import string

R = random.Random()
UPPER, LOWER, DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"
BASE32 = UPPER + "234567"


def rnd(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


# ---------------------------------------------------------------------------------------------
# Values
WORDS = ["summer", "winter", "spring", "autumn", "welcome", "admin", "dragon", "monkey", "shadow", "master",
         "sunshine", "football", "baseball", "letmein", "qwerty", "trustno", "tomcat", "oracle", "jenkins",
         "deploy", "orders", "billing", "acme", "falcon", "harbor", "zebra", "pepper", "rocket", "galaxy",
         "matrix", "ninja", "coffee", "buster", "ginger", "hockey", "mustang", "tigger", "charlie", "secure",
         "company", "service", "backup", "storage", "hello", "test", "demo", "pass", "login", "super"]
SYMBOLS = "!@#$%&*?"


def password():
    """A realistic, mostly low-entropy password."""
    w = R.choice(WORDS)
    style = R.randint(0, 9)
    if style == 0:
        return w.capitalize() + str(R.randint(2010, 2025)) + R.choice(SYMBOLS)  # Summer2019!
    if style == 1:
        return w + rnd(DIGITS, R.randint(2, 4))                                  # admin123
    if style == 2:
        leet = w.replace("a", "@").replace("o", "0").replace("e", "3").replace("s", "$")
        return leet.capitalize() + rnd(DIGITS, 1)                                # P@$$w0rd1 style
    if style == 3:
        return rnd(ALNUM, R.randint(8, 14))                                      # generated
    if style == 4:
        return rnd(ALNUM + "!#%*-_", R.randint(10, 20))
    if style == 5:
        return w.capitalize() + R.choice(WORDS).capitalize() + rnd(DIGITS, 2)    # DragonMaster42
    if style == 6:
        return w + R.choice(SYMBOLS) + rnd(DIGITS, 3)                            # root@123
    if style == 7:
        return "Passw0rd" + rnd(DIGITS, 1) if R.random() < 0.5 else "P@ssw0rd" + rnd(DIGITS, 2)
    if style == 8:
        return w.upper() + "_" + rnd(DIGITS, 4)
    return rnd(LOWER, 3) + rnd(DIGITS, 3) + rnd(UPPER, 2)


def token():
    style = R.randint(0, 4)
    if style == 0:
        return rnd(ALNUM, R.choice([20, 24, 25, 32, 40, 50]))
    if style == 1:
        return rnd(HEX, R.choice([32, 40, 64]))
    if style == 2:
        return rnd(URLSAFE, R.choice([22, 36, 43]))
    if style == 3:
        return rnd(DIGITS, R.randint(8, 10)) + "-" + rnd(ALNUM, R.choice([30, 40]))  # Twitter-style token
    return base64.b64encode(bytes(R.getrandbits(8) for _ in range(R.choice([24, 32, 48])))).decode()


# Names a project gives its credentials, in the forms code uses.
PW_NAMES = ["password", "passwd", "pwd", "pass", "db_password", "dbPassword", "DB_PASS", "adminPassword",
            "admin_pass", "root_password", "MYSQL_ROOT_PASSWORD", "POSTGRES_PASSWORD", "smtp_password",
            "mail_pass", "user_password", "userPwd", "ldap_password", "keystorePassword", "truststore_password",
            "redis_password", "rabbitmq_pass", "ftp_password", "sa_password", "api_password", "default_password",
            "PASSWORD", "Password", "master_password", "bind_pw", "proxy_password", "passphrase", "key_passphrase"]
SECRET_NAMES = ["consumer_key", "consumer_secret", "oauth_token", "oauth_token_secret", "access_token_secret",
                "Apitoken", "apiToken", "api_token", "app_secret", "appSecret", "secretKey", "secret_key",
                "signing_key", "signingSecret", "encryption_key", "master_key", "private_token", "auth_token",
                "authToken", "clientSecret", "client_secret", "license_key", "webhook_secret", "hmac_key",
                "jwt_secret", "session_secret", "cookie_secret", "access_key", "accessKeySecret", "app_key",
                "twitter_consumer_secret", "FB_APP_SECRET", "bot_token", "refresh_token", "API_SECRET",
                "x_api_key", "apikey", "token", "secret", "auth_key", "TOKEN_SECRET", "slackToken"]


def snake(n):
    out = ""
    for i, c in enumerate(n):
        if c.isupper() and i and (n[i - 1].islower() or n[i - 1].isdigit()):
            out += "_"
        out += c.lower()
    return out


def camel(n):
    parts = snake(n).split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def upper(n):
    return snake(n).upper()


def dotted(n):
    return snake(n).replace("_", ".")


def kebab(n):
    return snake(n).replace("_", "-")


# ---------------------------------------------------------------------------------------------
# Contexts: each returns (lines, index of the planted line, index of its last line).
FILLER = {
    "py": ["import os", "import logging", "", "log = logging.getLogger(__name__)", ""],
    "test_py": ["import pytest", "from app.models import User", "", ""],
    "js": ["'use strict';", "const express = require('express');", "", "const app = express();"],
    "ts": ["import { Injectable } from '@angular/core';", "", "@Injectable()", "export class ConfigService {"],
    "java": ["package com.acme.orders;", "", "import java.util.Properties;", "", "public class DbConfig {"],
    "go": ["package config", "", "import \"os\"", ""],
    "cs": ["using System;", "namespace Acme.Orders", "{", "    public class Settings", "    {"],
    "php": ["<?php", "// database settings", ""],
    "rb": ["require 'net/http'", "", "module Acme", ""],
    "sh": ["#!/bin/bash", "set -euo pipefail", "cd /opt/app"],
    "yaml": ["# service configuration", "service:", "  name: orders", "  replicas: 2"],
    "json": [],
    "xml": ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<configuration>"],
    "properties": ["# application settings", "server.port=8080", "spring.application.name=orders"],
    "ini": ["; settings", "[database]", "host = db.internal", "port = 5432"],
    "env": ["# local settings", "APP_ENV=development", "LOG_LEVEL=debug"],
    "dockerfile": ["FROM python:3.12-slim", "WORKDIR /app", "COPY . ."],
    "tf": ["resource \"aws_db_instance\" \"main\" {", "  engine         = \"postgres\"", "  instance_class = \"db.t3.micro\""],
    "cassette": ["interactions:", "- request:", "    body: null", "    method: GET", "    uri: https://api.acme-shop.io/v2/orders"],
    "http": ["GET /v1/orders HTTP/1.1", "Host: api.acme-shop.io", "Accept: application/json"],
    "c": ["#include <WiFi.h>", "", "const char* ssid = \"acme-guest\";"],
    "kt": ["package com.acme.orders", "", "object Config {"],
    "rs": ["use std::env;", ""],
    "ps1": ["$ErrorActionPreference = 'Stop'", "Import-Module SqlServer"],
    "sql": ["-- seed users", "CREATE DATABASE orders;"],
}
TRAILER = {
    "py": ["", "def main():", "    log.info('ready')"], "test_py": ["", "    assert user.is_active"],
    "js": ["", "module.exports = app;"], "ts": ["}"], "java": ["}"], "go": ["", "func init() {}"],
    "cs": ["    }", "}"], "php": ["", "$db = new PDO($dsn);"], "rb": ["end"], "sh": ["echo done"],
    "yaml": ["  port: 8080"], "json": [], "xml": ["</configuration>"], "properties": ["logging.level.root=INFO"],
    "ini": ["timeout = 30"], "env": ["PORT=3000"], "dockerfile": ["CMD [\"python\", \"main.py\"]"], "tf": ["}"],
    "cassette": ["  response:", "    status: {code: 200, message: OK}"], "http": ["", "{}"],
    "c": ["", "void setup() { WiFi.begin(ssid, password); }"], "kt": ["}"], "rs": ["", "fn main() {}"],
    "ps1": ["Invoke-Sqlcmd -Query 'SELECT 1'"], "sql": ["GRANT ALL ON orders.* TO 'app'@'%';"],
}
EXT = {"py": "settings.py", "test_py": "test_auth.py", "js": "config.js", "ts": "config.service.ts",
       "java": "DbConfig.java", "go": "config.go", "cs": "Settings.cs", "php": "config.php", "rb": "client.rb",
       "sh": "deploy.sh", "yaml": "application.yml", "json": "config.json", "xml": "web.config",
       "properties": "application.properties", "ini": "settings.ini", "env": ".env", "dockerfile": "Dockerfile",
       "tf": "main.tf", "cassette": "cassette.yaml", "http": "request.http", "c": "main.cpp", "kt": "Config.kt", "rs": "main.rs",
       "ps1": "deploy.ps1", "sql": "seed.sql"}


def assign(kind, name, value):
    """One line that gives `value` to `name` the way `kind` files do (forms chosen at random)."""
    q = R.choice(['"', "'"])
    forms = {
        "py": [lambda: '%s = %s%s%s' % (snake(name), q, value, q),
               lambda: '%s = %s%s%s' % (upper(name), q, value, q),
               lambda: '    "%s": "%s",' % (snake(name), value),
               lambda: '    self.%s = "%s"' % (snake(name), value),
               lambda: 'conn = connect(host="db.internal", user="app", %s="%s")' % (snake(name), value),
               lambda: 'os.environ.setdefault("%s", "%s")' % (upper(name), value)],
        "test_py": [lambda: '    client.login(username="admin", %s="%s")' % (snake(name), value),
                    lambda: '    user = User(email="qa@acme-shop.io", %s="%s")' % (snake(name), value),
                    lambda: '%s = "%s"' % (upper(name), value)],
        "js": [lambda: "const %s = %s%s%s;" % (camel(name), q, value, q),
               lambda: "  %s: '%s'," % (camel(name), value),
               lambda: "process.env.%s = '%s';" % (upper(name), value),
               lambda: "config.%s = \"%s\";" % (camel(name), value)],
        "ts": [lambda: "  private readonly %s = '%s';" % (camel(name), value),
               lambda: "  %s: string = \"%s\";" % (camel(name), value),
               lambda: "export const %s = '%s';" % (upper(name), value)],
        "java": [lambda: '    private static final String %s = "%s";' % (upper(name), value),
                 lambda: '        String %s = "%s";' % (camel(name), value),
                 lambda: '        props.setProperty("%s", "%s");' % (camel(name), value),
                 lambda: '        props.put("%s", "%s");' % (dotted(name), value)],
        "go": [lambda: '\t%s := "%s"' % (camel(name), value),
               lambda: '\t%s: "%s",' % (camel(name)[0].upper() + camel(name)[1:], value),
               lambda: 'const %s = "%s"' % (camel(name), value),
               lambda: '\tos.Setenv("%s", "%s")' % (upper(name), value)],
        "cs": [lambda: '        private const string %s = "%s";' % (camel(name)[0].upper() + camel(name)[1:], value),
               lambda: '        var %s = "%s";' % (camel(name), value),
               lambda: '        public string %s { get; set; } = "%s";' % (camel(name)[0].upper() + camel(name)[1:], value)],
        "php": [lambda: "$%s = '%s';" % (snake(name), value),
                lambda: "    '%s' => '%s'," % (snake(name), value),
                lambda: "define('%s', '%s');" % (upper(name), value)],
        "rb": [lambda: "  %s = '%s'" % (snake(name), value),
               lambda: "  config.%s = '%s'" % (snake(name), value),
               lambda: "    %s: '%s'," % (snake(name), value),
               lambda: "    :%s => \"%s\"," % (snake(name), value)],
        "sh": [lambda: 'export %s="%s"' % (upper(name), value),
               lambda: "%s='%s'" % (upper(name), value),
               lambda: "export %s=%s" % (upper(name), value)],
        "yaml": [lambda: "  %s: %s" % (snake(name), value),
                 lambda: "  %s: \"%s\"" % (camel(name), value),
                 lambda: "      - %s=%s" % (upper(name), value),
                 lambda: "    %s: '%s'" % (kebab(name), value)],
        "json": [lambda: '  "%s": "%s",' % (snake(name), value),
                 lambda: '  "%s": "%s",' % (camel(name), value)],
        "xml": [lambda: '  <%s>%s</%s>' % (camel(name), value, camel(name)),
                lambda: '  <add key="%s" value="%s" />' % (camel(name)[0].upper() + camel(name)[1:], value),
                lambda: '  <property name="%s" value="%s"/>' % (dotted(name), value),
                lambda: '  <datasource user="app" %s="%s"/>' % (camel(name), value)],
        "properties": [lambda: "%s=%s" % (dotted(name), value),
                       lambda: "spring.datasource.%s=%s" % (snake(name).split("_")[-1], value),
                       lambda: "%s = %s" % (dotted(name), value)],
        "ini": [lambda: "%s = %s" % (snake(name), value), lambda: "%s=%s" % (snake(name), value)],
        "env": [lambda: "%s=%s" % (upper(name), value), lambda: '%s="%s"' % (upper(name), value)],
        "dockerfile": [lambda: "ENV %s=%s" % (upper(name), value), lambda: "ENV %s %s" % (upper(name), value),
                       lambda: "ARG %s=%s" % (upper(name), value)],
        "tf": [lambda: '  %s = "%s"' % (snake(name), value)],
        "c": [lambda: 'const char* %s = "%s";' % (snake(name), value), lambda: '#define %s "%s"' % (upper(name), value),
              lambda: 'static const char %s[] = "%s";' % (camel(name), value)],
        "kt": [lambda: '    val %s = "%s"' % (camel(name), value), lambda: '    const val %s: String = "%s"' % (upper(name), value)],
        "rs": [lambda: 'const %s: &str = "%s";' % (upper(name), value), lambda: '    let %s = "%s";' % (snake(name), value)],
        "ps1": [lambda: '$%s = "%s"' % (camel(name), value),
                lambda: '$%s = ConvertTo-SecureString "%s" -AsPlainText -Force' % (camel(name), value)],
    }
    return R.choice(forms[kind])()


def place(kind, line):
    """Wraps one planted line in its file's filler; returns (lines, index)."""
    head, tail = list(FILLER[kind]), list(TRAILER[kind])
    if kind == "json":
        return ["{", '  "name": "orders",', line, '  "port": 8080', "}"], 2
    return head + [line] + tail, len(head)


class Corpus:
    def __init__(self, out):
        self.out, self.labels, self.n = out, [], 0

    def write(self, kind, lines, first, last, family, label):
        self.n += 1
        rel = "%s/%s/%05d/%s" % (label, family, self.n, EXT.get(kind, kind))
        path = os.path.join(self.out, "files", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.labels.append({"path": rel, "line": first + 1, "last_line": last + 1, "family": family,
                            "kind": kind, "label": label})


ASSIGN_KINDS = ["py", "test_py", "js", "ts", "java", "go", "cs", "php", "rb", "sh", "yaml", "json", "xml",
                "properties", "ini", "env", "dockerfile", "tf", "c", "kt", "rs", "ps1"]


def pos_password_call(c):
    """A password passed beside its user name, or in SQL: no variable name says "password"."""
    pw = password()
    kind, line = R.choice([
        ("py", "r = requests.get(url, auth=('deploy', '%s'))" % pw),
        ("py", "session.auth = HTTPBasicAuth('svc-orders', '%s')" % pw),
        ("cs", '        var cred = new NetworkCredential("svc-orders", "%s");' % pw),
        ("java", '        Connection c = DriverManager.getConnection(url, "sa", "%s");' % pw),
        ("sql", "CREATE USER 'app'@'%%' IDENTIFIED BY '%s';" % pw),
        ("sql", "ALTER ROLE reporting WITH PASSWORD '%s';" % pw),
        ("sh", "java -Dspring.datasource.password=%s -jar orders.jar" % pw),
        ("http", "GET /api/login?user=ops&password=%s&next=/ HTTP/1.1" % pw),
    ])
    lines, at = place(kind, line)
    c.write(kind, lines, at, at, "password-call", "positive")


def pos_password(c):
    kind = R.choice(ASSIGN_KINDS)
    lines, at = place(kind, assign(kind, R.choice(PW_NAMES), password()))
    c.write(kind, lines, at, at, "password", "positive")


def pos_named_secret(c):
    kind = R.choice(ASSIGN_KINDS)
    lines, at = place(kind, assign(kind, R.choice(SECRET_NAMES), token()))
    c.write(kind, lines, at, at, "named-secret", "positive")


def http_value():
    if R.random() < 0.3:
        user = R.choice(["admin", "api", "deploy", "svc-orders", "jenkins"])
        return "Basic " + base64.b64encode(("%s:%s" % (user, password())).encode()).decode()
    return R.choice(["Bearer ", "Bearer ", "token ", "Token "]) + token()


def pos_http(c):
    v = http_value()
    hdr = R.choice(["Authorization", "authorization", "X-Api-Key", "X-Auth-Token", "Private-Token", "api-key"])
    if hdr not in ("Authorization", "authorization"):
        v = token()
    kind = R.choice(["cassette", "cassette", "http", "py", "js", "go", "sh", "json"])
    if kind == "cassette":
        if R.random() < 0.5:  # VCR.py / vcr (Ruby) list form: the value on the next line
            line1, line2 = "    headers:", "      %s:" % hdr
            lines = FILLER[kind] + [line1, line2, "      - %s" % v] + TRAILER[kind]
            c.write(kind, lines, len(FILLER[kind]) + 1, len(FILLER[kind]) + 2, "http-auth", "positive")
            return
        line = "      %s: ['%s']" % (hdr, v)
    elif kind == "http":
        line = "%s: %s" % (hdr, v)
    elif kind == "py":
        line = 'headers = {"%s": "%s", "Accept": "application/json"}' % (hdr, v)
    elif kind == "js":
        line = "xhr.setRequestHeader('%s', '%s');" % (hdr, v)
    elif kind == "go":
        line = '\treq.Header.Set("%s", "%s")' % (hdr, v)
    elif kind == "sh":
        line = "curl -sS -H '%s: %s' https://api.acme-shop.io/v2/orders" % (hdr, v)
    else:  # HAR / Postman collection: name and value side by side
        line = '        {"name": "%s", "value": "%s"},' % (hdr, v)
    lines, at = place(kind, line)
    c.write(kind, lines, at, at, "http-auth", "positive")


def pos_cli(c):
    pw = password()
    line = R.choice([
        "mysql -u root -p%s orders < dump.sql" % pw,
        "mysqldump --user=backup --password=%s --all-databases" % pw,
        "sshpass -p '%s' ssh deploy@10.0.4.12" % pw,
        "docker login -u ci -p %s registry.acme-shop.io" % pw,
        "psql-wrapper --password %s --host db.internal" % pw,
        "curl -u admin:%s https://jenkins.acme-shop.io/api/json" % pw,
        "keytool -importcert -keystore truststore.jks -storepass %s -file ca.pem" % pw,
        "openssl pkcs12 -export -out cert.p12 -passout pass:%s" % pw,
        "htpasswd -b .htpasswd admin %s" % pw,
        "java -jar app.jar --spring.datasource.password=%s" % pw,
    ])
    kind = R.choice(["sh", "dockerfile"])
    if kind == "dockerfile":
        line = "RUN " + line
    lines, at = place(kind, line)
    c.write(kind, lines, at, at, "cli", "positive")


def pos_otp(c):
    seed = rnd(BASE32, R.choice([16, 26, 32]))
    kind = R.choice(["py", "js", "yaml", "env", "json", "rb"])
    if R.random() < 0.4:
        v = "otpauth://totp/AcmeShop:%s?secret=%s&issuer=AcmeShop" % (R.choice(["alice", "ops", "ci-bot"]), seed)
        line = assign(kind, R.choice(["otp_uri", "provisioning_uri", "totp_url"]), v)
    else:
        line = assign(kind, R.choice(["totp_secret", "otp_seed", "mfa_secret", "twofa_secret", "otpSecret",
                                      "google_authenticator_key", "TOTP_SEED", "two_factor_secret"]), seed)
    lines, at = place(kind, line)
    c.write(kind, lines, at, at, "otp", "positive")


# ---------------------------------------------------------------------------------------------
# Hard negatives: what sits in the same places and is not a credential.
def neg_password_lines(kind):
    n = R.choice(PW_NAMES)
    py = [
        "%s = getpass.getpass()" % snake(n), "%s = getpass('Password: ')" % snake(n),
        "%s = os.environ[\"%s\"]" % (snake(n), upper(n)), "%s = os.getenv('%s')" % (snake(n), upper(n)),
        "%s = os.environ.get('%s', '')" % (snake(n), upper(n)), "%s = input(\"Enter password: \")" % snake(n),
        "%s = request.form[\"password\"]" % snake(n), "%s = config.get('database', 'password')" % snake(n),
        "%s = settings.DATABASES['default']['PASSWORD']" % snake(n), "%s = None" % snake(n), '%s = ""' % snake(n),
        "%s = generate_password(length=16)" % snake(n), "%s = hashlib.sha256(raw.encode()).hexdigest()" % snake(n),
        "PASSWORD_FIELD = \"password\"", "password_field = 'new_password'", "PASSWORD_MIN_LENGTH = 12",
        "PASSWORD_RESET_TIMEOUT = 3600", "password_regex = r'^(?=.*[A-Z])(?=.*\\d).{8,}$'",
        "if password != confirm_password:", "    raise ValueError('password mismatch')",
        "%s = self.%s" % (snake(n), snake(n)), "%s = user.password" % snake(n),
        "%s = \"<PASSWORD>\"" % snake(n), "%s = \"your-password-here\"" % snake(n), "%s = 'changeme'" % snake(n),
        "%s = \"xxxxxxxx\"" % snake(n), "%s = '********'" % snake(n), "%s = \"%%(password)s\"" % snake(n),
        "%s = \"{password}\"" % snake(n), "%s = f\"{prefix}{suffix}\"" % snake(n), "pwd = os.getcwd()",
        "help_text = \"Enter your password\"", "%s = kwargs.pop('password', None)" % snake(n),
        "password_hash = bcrypt.hashpw(password, bcrypt.gensalt())", "%s = secrets.token_urlsafe(16)" % snake(n),
        "conn = connect(host=host, user=user, password=password)", "login(username=user, password=pw)",
        "DB_PASSWORD = env('DB_PASSWORD')", "password = 'password'",
    ]
    test_py = [
        "    assert form.errors['password'] == ['This field is required.']",
        "    assert not validate_password('short')", "    resp = client.post('/login', data={'password': pw})",
        "    with pytest.raises(ValidationError, match='password too short'):",
        "    user = User(email='qa@acme-shop.io', password=make_password(raw))",
        "    client.login(username=user.username, password=PASSWORD)",
    ]
    js = [
        "const password = process.env.DB_PASSWORD;", "const password = req.body.password;",
        "  password: { type: String, required: true, minlength: 8 },", "input.type = 'password';",
        "const passwordInput = document.getElementById('password');", "  password: '',",
        "const password = await bcrypt.hash(plain, 10);", "  passwordLabel: 'Enter password',",
        "if (password.length < 8) throw new Error('password too short');", "const { password } = credentials;",
        "  password: config.get('db.password'),", "  passwordPlaceholder: 'Your password',",
        "  pass: process.env.SMTP_PASS,", "const token = localStorage.getItem('token');",
    ]
    java = [
        '        String password = System.getenv("DB_PASSWORD");', '    @Column(name = "password")',
        '        String password = props.getProperty("db.password");', '    private String password;',
        '        user.setPassword(passwordEncoder.encode(rawPassword));', '    @Value("${db.password}")',
        '        char[] password = console.readPassword("Password: ");', '    public static final String PASSWORD_PARAM = "password";',
        '        if (password == null || password.isEmpty()) {',
    ]
    go = ['\tpassword := os.Getenv("DB_PASSWORD")', '\tPassword string `json:"password" yaml:"password"`',
          '\tpassword, err := term.ReadPassword(int(os.Stdin.Fd()))', '\tPassword: cfg.Password,',
          '\tpasswordFlag := flag.String("password", "", "database password")']
    cs = ['        var password = Environment.GetEnvironmentVariable("DB_PASSWORD");',
          '        public string Password { get; set; }', '        [DataType(DataType.Password)]',
          '        var password = Configuration["Database:Password"];']
    php = ["$password = $_POST['password'];", "$password = getenv('DB_PASSWORD');", "'password' => env('DB_PASSWORD'),",
           "'password' => '',", "$password = password_hash($plain, PASSWORD_DEFAULT);", "define('DB_PASSWORD', getenv('DB_PASSWORD'));"]
    rb = ["  password = ENV['DB_PASSWORD']", "  validates :password, length: { minimum: 8 }", "  config.password = ENV.fetch('SMTP_PASSWORD')",
          "  has_secure_password", "    password: Rails.application.credentials.db_password,"]
    sh = ['export DB_PASSWORD="${DB_PASSWORD:?missing}"', 'mysql -u root -p"$MYSQL_PWD" orders', 'read -s -p "Password: " PASSWORD',
          'PASSWORD=$(cat /run/secrets/db_password)', 'docker login -u ci --password-stdin < token.txt', 'echo "pwd is $(pwd)"',
          'sshpass -p "$SSH_PASS" ssh deploy@host', 'cd "$PWD/build"']
    yaml = ["  password: ${DB_PASSWORD}", "  password: \"{{ vault_db_password }}\"", "  password: !vault |", "  password: ''",
            "  password:", "  password_file: /run/secrets/db_password", "  password: changeme", "  password: \"<your-password>\"",
            "      - POSTGRES_PASSWORD_FILE=/run/secrets/pg", "  passwordRef: db-credentials", "  label_password: Password",
            "  password: Passwort", "  password_hint: At least 8 characters", "  password: null", "  existingSecret: db-password",
            "  password: ((db-password))", "  password: $(DB_PASSWORD)", "  password: \"#{DB_PASSWORD}\""]
    json_ = ['  "password": "Password",', '  "password": "Mot de passe",', '  "password": "",', '  "passwordMinLength": 8,',
             '  "password": "${DB_PASSWORD}",', '  "forgotPassword": "Forgot your password?",', '  "password": null,',
             '  "password": "{{password}}",', '  "password_confirmation": "Confirm password",']
    xml = ['  <password>${db.password}</password>', '  <input type="password" name="password" />',
           '  <add key="DbPassword" value="" />', '  <property name="password" value="${jdbc.password}"/>',
           '  <string name="password_hint">Password</string>', '  <password>changeme</password>',
           '  <label for="password">Enter password</label>']
    properties = ["spring.datasource.password=${DB_PASSWORD}", "db.password=", "db.password.file=/etc/app/pw",
                  "password.min.length=8", "login.password.label=Password", "spring.datasource.password=ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)"]
    ini = ["password = %(db_password)s", "password =", "password = <PASSWORD>", "password_policy = strong", "password = ${PASSWORD}"]
    env = ["DB_PASSWORD=", "DB_PASSWORD=${VAULT_DB_PASSWORD}", "DB_PASSWORD=changeme", "# DB_PASSWORD=your_password_here",
           "DB_PASSWORD_FILE=/run/secrets/db", "SMTP_PASSWORD=xxxxxxxx"]
    dockerfile = ["ENV DB_PASSWORD=\"\"", "ARG DB_PASSWORD", "ENV DB_PASSWORD=${DB_PASSWORD}",
                  "RUN --mount=type=secret,id=db_password cat /run/secrets/db_password"]
    tf = ['  password = var.db_password', '  password = random_password.db.result', '  password = data.vault_generic_secret.db.data["password"]',
          '  password = "${var.db_password}"', '  manage_master_user_password = true']
    c_ = ['const char* password = getenv("WIFI_PASSWORD");', '#define PASSWORD_MAX_LEN 64', 'char password[64];',
          'strncpy(password, argv[2], sizeof(password));', '#define PASSWORD_PROMPT "Password: "']
    kt = ['    val password = System.getenv("DB_PASSWORD")', '    val password: String by lazy { vault.read("db") }']
    rs = ['    let password = env::var("DB_PASSWORD")?;', 'const PASSWORD_ENV: &str = "DB_PASSWORD";']
    ps1 = ['$password = Read-Host -AsSecureString "Password"', '$password = $env:DB_PASSWORD',
           '$cred = Get-Credential -UserName admin']
    table = {"c": c_, "kt": kt, "rs": rs, "ps1": ps1, "py": py, "test_py": test_py, "js": js, "ts": js, "java": java, "go": go, "cs": cs, "php": php,
             "rb": rb, "sh": sh, "yaml": yaml, "json": json_, "xml": xml, "properties": properties, "ini": ini,
             "env": env, "dockerfile": dockerfile, "tf": tf}
    return R.choice(table[kind])


def neg_secret_line(kind):
    n = R.choice(SECRET_NAMES)
    shapes = [
        lambda: assign(kind, R.choice(["checksum", "sha256", "content_hash", "digest"]), rnd(HEX, 64)),
        lambda: assign(kind, R.choice(["commit", "revision", "git_sha", "etag"]), rnd(HEX, 40)),
        lambda: assign(kind, R.choice(["request_id", "tenant_id", "correlation_id", "client_id"]),
                       "%s-%s-%s-%s-%s" % (rnd(HEX, 8), rnd(HEX, 4), rnd(HEX, 4), rnd(HEX, 4), rnd(HEX, 12))),
        lambda: assign(kind, n, R.choice(["YOUR_API_KEY", "<api-key>", "${API_TOKEN}", "{{ .Values.apiToken }}",
                                          "xxxxxxxxxxxxxxxxxxxxxxxx", "REPLACE_ME", "your-secret-here", "TODO", "none"])),
        lambda: assign(kind, R.choice(["cache_key", "sort_key", "primary_key", "partition_key", "i18n_key",
                                       "token_type", "secret_name", "key_name", "token_url", "keyboard_layout"]),
                       R.choice(["user:profile:42", "created_at", "id", "bearer", "prod/orders/db-password",
                                 "orders-signing-key", "https://auth.acme-shop.io/oauth/token", "us-intl"])),
        lambda: assign(kind, R.choice(["public_key", "publishableKey", "site_key", "vapid_public_key"]), rnd(URLSAFE, 40)),
        lambda: assign(kind, R.choice(["integrity"]), "sha512-" + base64.b64encode(bytes(R.getrandbits(8) for _ in range(64))).decode()),
        lambda: assign(kind, n, R.choice(["os.environ['API_TOKEN']", "process.env.API_TOKEN", "ENV['SECRET_KEY']",
                                          "settings.SECRET_KEY", "config.apiToken", "getToken()", "secrets.token_hex(32)"])),
        lambda: assign(kind, R.choice(["otp_length", "totp_period", "token_ttl", "key_size"]), str(R.choice([6, 30, 3600, 2048]))),
        lambda: assign(kind, R.choice(["font_family", "message_key", "translation_key"]), R.choice(["HelveticaNeueBold", "errors.token.expired", "auth.password.reset"])),
    ]
    # A value given to ConvertTo-SecureString -AsPlainText is a secret whatever its name: the
    # negatives keep to the plain assignment.
    return R.choice(shapes)().replace('ConvertTo-SecureString "', '"').replace('" -AsPlainText -Force', '"')


def neg_http_line(kind):
    return R.choice({
        "cassette": ["      Authorization: ['Bearer <TOKEN>']", "      Authorization: [REDACTED]", "      Authorization: ['**FILTERED**']",
                     "      Authorization: ['Bearer {{ token }}']", "      Content-Type: [application/json]"],
        "http": ["Authorization: Bearer {{token}}", "Authorization: Bearer <access_token>", "Authorization: Basic {{basic_auth}}",
                 "Authorization: Bearer $TOKEN", "X-Request-Id: " + rnd(HEX, 32)],
        "py": ['headers = {"Authorization": f"Bearer {self.token}"}', 'headers = {"Authorization": "Bearer " + token}',
               'headers["Authorization"] = "Token %s" % api_key', 'headers = {"Authorization": "Bearer ${TOKEN}"}'],
        "js": ["xhr.setRequestHeader('Authorization', `Bearer ${token}`);", "headers: { Authorization: 'Bearer ' + accessToken },",
               "xhr.setRequestHeader('X-Api-Key', apiKey);"],
        "go": ['\treq.Header.Set("Authorization", "Bearer "+token)', '\treq.Header.Set("X-Api-Key", cfg.APIKey)'],
        "sh": ['curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com/user',
               "curl -H 'Authorization: token <YOUR_TOKEN>' https://api.acme-shop.io", 'curl -H "X-Api-Key: ${API_KEY}" https://x'],
        "json": ['        {"name": "Authorization", "value": "Bearer {{access_token}}"},', '        {"name": "X-Api-Key", "value": "{{apiKey}}"},'],
    }[kind])


def neg_cli_line():
    return R.choice(["mysql -u root -p orders", "mysql -u root -p\"$DB_PASS\" orders", "mysqldump --user=backup --password=\"$PW\" db",
                     "docker login -u ci --password-stdin", "sshpass -e ssh deploy@10.0.4.12", "keytool -list -keystore ks.jks -storepass:env KS_PASS",
                     "openssl pkcs12 -export -passout env:P12_PASS -out cert.p12", "psql --password --host db.internal",
                     "java -jar app.jar --spring.datasource.password=${DB_PASSWORD}", "ls -p /var/log", "tar -xpf backup.tar",
                     "mkdir -p build/output", "curl -u \"$USER:$PASS\" https://x"])


def neg_otp_line(kind):
    return assign(kind, R.choice(["otp_digits", "totp_secret", "mfa_secret", "otp_uri"]),
                  R.choice(["6", "${TOTP_SECRET}", "<base32-secret>", "otpauth://totp/{issuer}:{user}?secret={secret}", "null"]))


def neg(c, family, kind, line):
    lines, at = place(kind, line)
    c.write(kind, lines, at, at, family, "negative")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--scale", type=int, default=10)
    a = ap.parse_args()
    R.seed(a.seed)
    c = Corpus(a.out)
    s = a.scale
    for _ in range(30 * s):
        pos_password(c)
    for _ in range(20 * s):
        pos_named_secret(c)
    for _ in range(4 * s):
        pos_password_call(c)
    for _ in range(8 * s):
        pos_http(c)
    for _ in range(5 * s):
        pos_cli(c)
    for _ in range(3 * s):
        pos_otp(c)
    for _ in range(40 * s):
        k = R.choice(ASSIGN_KINDS)
        neg(c, "neg-password", k, neg_password_lines(k))
    for _ in range(20 * s):
        k = R.choice(ASSIGN_KINDS)
        neg(c, "neg-secret", k, neg_secret_line(k))
    for _ in range(6 * s):
        k = R.choice(["cassette", "http", "py", "js", "go", "sh", "json"])
        neg(c, "neg-http", k, neg_http_line(k))
    for _ in range(4 * s):
        neg(c, "neg-cli", "sh", neg_cli_line())
    for _ in range(3 * s):
        kind, line = R.choice([("py", "r = requests.get(url, auth=(user, password))"),
                               ("py", "r = requests.get(url, auth=('deploy', os.environ['DEPLOY_PW']))"),
                               ("cs", '        var cred = new NetworkCredential(user, password);'),
                               ("java", '        Connection c = DriverManager.getConnection(url, user, pass);'),
                               ("sql", "CREATE USER 'app'@'%' IDENTIFIED BY :password;"),
                               ("sql", "ALTER ROLE reporting WITH PASSWORD NULL;"),
                               ("sh", "java -Dspring.datasource.password=${DB_PASSWORD} -jar orders.jar"),
                               ("http", "GET /api/login?user=ops&password={{password}} HTTP/1.1")])
        neg(c, "neg-password-call", kind, line)
    for _ in range(2 * s):
        k = R.choice(["py", "yaml", "env", "json"])
        neg(c, "neg-otp", k, neg_otp_line(k))
    with open(os.path.join(a.out, "labels.jsonl"), "w") as f:
        for l in c.labels:
            f.write(json.dumps(l) + "\n")
    pos = sum(1 for l in c.labels if l["label"] == "positive")
    print("code corpus: %d files, %d positives, %d negatives in %s" % (c.n, pos, len(c.labels) - pos, a.out))


if __name__ == "__main__":
    main()
