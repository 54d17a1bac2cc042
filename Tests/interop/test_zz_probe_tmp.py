from fixtures.clients import cli_login

def complete(kc, code, cursor=None):
    kc.complete(code, len(code) if cursor is None else cursor)
    return kc.get_shell_msg(timeout=10)["content"]

def test_probe(local_hub, hf_env, start_hubkernel):
    _, kc = start_hubkernel(env=hf_env)
    for code, cur in [("%dow demo/tiny-model", 4), ("%set x café\n%dow", None), ("%set x 日本語 %dow", None),
                      ("%download --repo-type d", None), ("%download x --repo-type=d", None), ("%cache r", None),
                      ("%cache rm --", None), ("  %dow", None), ("%%dow", None), ("%download x \\\n  --rev", None),
                      ("%hf_login --", None), ("%auth_switch ", None), ("%he", None), ("%help dow", None)]:
        r = complete(kc, code, cur)
        print(repr(code), cur, "->", r["matches"][:8], r["cursor_start"], r["cursor_end"], r.get("metadata", {}).keys())
    kc.inspect("%whoami", 2); print(kc.get_shell_msg(timeout=10)["content"]["data"].keys())
    kc.inspect("%set x 1\n%whoami", 11); c = kc.get_shell_msg(timeout=10)["content"]; print(c["found"], c["data"].get("text/plain", "")[:80])
    for code in ["%download x \\", "%download x", "", "%download 'unterminated", "%download x \\\n", "%download x \\\n  --rev main"]:
        kc.is_complete(code); c = kc.get_shell_msg(timeout=10)["content"]; print(repr(code), c)
