# Runs main() of the job's main.py with the job's arguments (args.json) and writes its return value to
# result.json, or the error to error.json. Arguments main() does not declare are left out, as Windmill does.
import inspect
import json
import sys
import traceback

sys.path.insert(0, ".")


def _run():
    with open("args.json") as f:
        args = json.load(f)
    from main import main  # noqa: E402  (the user's module: its top level runs here)

    params = inspect.signature(main).parameters
    takes_all = any(p.kind == p.VAR_KEYWORD for p in params.values())
    kwargs = {k: v for k, v in args.items() if (takes_all or k in params) and v is not None}
    result = main(**kwargs)
    with open("result.json", "w") as f:
        json.dump(result, f, default=str)


try:
    _run()
except BaseException as e:  # noqa: BLE001  (everything becomes the job's error)
    with open("error.json", "w") as f:
        json.dump({"message": f"{type(e).__name__}: {e}", "name": type(e).__name__, "stack": traceback.format_exc()}, f)
    traceback.print_exc()
    sys.exit(1)
