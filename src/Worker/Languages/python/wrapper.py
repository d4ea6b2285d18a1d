# Runs main() of the job's main.py with the job's arguments (args.json) and writes its return value to
# result.json, or the error to error.json. Arguments main() does not declare are left out, as Windmill does.
import json
import sys

# Not inspect (17 ms of a 30 ms start): the code object names the parameters just as well.
_VAR_KEYWORDS = 0x08

sys.path.insert(0, ".")


def _run():
    with open("args.json") as f:
        args = json.load(f)
    from main import main  # noqa: E402  (the user's module: its top level runs here)

    target = main
    while hasattr(target, "__wrapped__"):  # a decorated main: the parameters are the inner function's
        target = target.__wrapped__
    code = getattr(target, "__code__", None)
    if code is None:  # a callable object: give it every argument
        result = main(**{k: v for k, v in args.items() if v is not None})
        _write(result)
        return
    params = set(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    takes_all = bool(code.co_flags & _VAR_KEYWORDS)
    kwargs = {k: v for k, v in args.items() if (takes_all or k in params) and v is not None}
    _write(main(**kwargs))


def _write(result):
    with open("result.json", "w") as f:
        json.dump(result, f, default=str)


try:
    _run()
except BaseException as e:  # noqa: BLE001  (everything becomes the job's error)
    import traceback

    with open("error.json", "w") as f:
        json.dump({"message": f"{type(e).__name__}: {e}", "name": type(e).__name__, "stack": traceback.format_exc()}, f)
    traceback.print_exc()
    sys.exit(1)
