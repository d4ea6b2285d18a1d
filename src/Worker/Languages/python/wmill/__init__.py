"""The `wmill` module jobs import: the same functions and HTTP calls as Windmill's Python client
(`python-client/wmill`), for what Windmill.Jobs serves. Uses only the standard library."""
import json
import os
import time
import urllib.parse
from typing import Any, Optional

__all__ = [
    "get_workspace", "get_variable", "set_variable", "get_resource", "set_resource", "get_state_path",
    "get_state", "set_state", "run_script", "run_script_async", "wait_job", "get_job_status", "get_result",
    "get_root_job_id", "set_flow_user_state", "get_flow_user_state", "load_s3_file", "load_s3_file_reader", "write_s3_file",
    "get_boto3_connection_settings", "boto3_connection_settings", "duckdb_connection_settings", "polars_connection_settings",
    "S3Object", "WindmillError",
]


class WindmillError(Exception):
    """An API call failed; `status` is the HTTP status and the message the server's text."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status


def _base() -> str:
    return (os.environ.get("BASE_INTERNAL_URL") or os.environ.get("BASE_URL") or "http://localhost:8000").rstrip("/") + "/api"


_NO_BODY = object()  # a JSON null is a body too (set_flow_user_state(key, None))


def _open(method: str, path: str, data: Any = None, content_type: Optional[str] = None, timeout: float = 300):
    """The API's response to one request with the job's token; an HTTP error becomes a WindmillError."""
    # Imported on first use: urllib.request costs ~30 ms, more than the rest of a job's start.
    import urllib.error
    import urllib.request

    req = urllib.request.Request(_base() + "/" + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + os.environ["WM_TOKEN"])
    if os.environ.get("TRACEPARENT"):  # the job's calls join its trace
        req.add_header("traceparent", os.environ["TRACEPARENT"])
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as e:
        raise WindmillError(e.code, e.read().decode(errors="replace")) from None


def _call(method: str, path: str, body: Any = _NO_BODY, raw: bool = False) -> Any:
    data = None if body is _NO_BODY else json.dumps(body).encode()
    with _open(method, path, data, "application/json" if data is not None else None) as resp:
        text = resp.read().decode()
        if raw or "json" not in (resp.headers.get("Content-Type") or ""):
            return text
        return json.loads(text) if text else None


def _w(path: str) -> str:
    return f"w/{get_workspace()}/{path}"


def _p(path: str) -> str:
    return urllib.parse.quote(path, safe="/")


def get_workspace() -> str:
    return os.environ["WM_WORKSPACE"]


def get_variable(path: str) -> str:
    path = path.removeprefix("$var:").removeprefix("var://")
    return _call("GET", _w(f"variables/get_value/{_p(path)}"))


def set_variable(path: str, value: str, is_secret: bool = False, description: str = "") -> None:
    if _call("GET", _w(f"variables/exists/{_p(path)}")):
        _call("POST", _w(f"variables/update/{_p(path)}"), {"value": value})
    else:
        _call("POST", _w("variables/create"), {"path": path, "value": value, "is_secret": is_secret, "description": description})


def get_resource(path: str, none_if_undefined: bool = False, interpolated: bool = True) -> Any:
    path = path.removeprefix("$res:").removeprefix("res://")
    route = "get_value_interpolated" if interpolated else "get_value"
    try:
        return _call("GET", _w(f"resources/{route}/{_p(path)}"))
    except WindmillError as e:
        if none_if_undefined and e.status == 404:
            return None
        raise


def set_resource(value: Any, path: str, resource_type: str = "any") -> None:
    path = path.removeprefix("$res:").removeprefix("res://")
    if _call("GET", _w(f"resources/exists/{_p(path)}")):
        _call("POST", _w(f"resources/update_value/{_p(path)}"), {"value": value})
    else:
        _call("POST", _w("resources/create"), {"path": path, "value": value, "resource_type": resource_type})


def get_state_path() -> str:
    state = os.environ.get("WM_STATE_PATH_NEW") or os.environ.get("WM_STATE_PATH")
    if not state:
        raise Exception("State path not set")
    return state


def get_state() -> Any:
    return get_resource(get_state_path(), none_if_undefined=True)


def set_state(value: Any) -> None:
    """One atomic upsert: two jobs writing the first state at once both succeed; the last one wins."""
    _call("POST", _w("resources/create?update_if_exists=true"), {"path": get_state_path(), "value": value, "resource_type": "state"})


def run_script_async(path: Optional[str] = None, hash_: Optional[str] = None, args: Optional[dict] = None,
                     scheduled_in_secs: Optional[int] = None) -> str:
    if (path is None) == (hash_ is None):
        raise ValueError("give exactly one of path and hash_")
    query = f"?scheduled_in_secs={scheduled_in_secs}" if scheduled_in_secs else ""
    if os.environ.get("WM_JOB_ID"):
        query += ("&" if query else "?") + "parent_job=" + os.environ["WM_JOB_ID"]
    route = f"jobs/run/p/{_p(path)}" if path else f"jobs/run/h/{hash_}"
    return _call("POST", _w(route + query), args or {}, raw=True)


def run_script(path: Optional[str] = None, hash_: Optional[str] = None, args: Optional[dict] = None,
               timeout: Optional[float] = None, assert_result_is_not_none: bool = False) -> Any:
    job_id = run_script_async(path=path, hash_=hash_, args=args)
    return wait_job(job_id, timeout=timeout, assert_result_is_not_none=assert_result_is_not_none)


def get_job_status(job_id: str) -> str:
    job = _call("GET", _w(f"jobs_u/get/{job_id}"))
    if job.get("type") == "CompletedJob":
        return "COMPLETED"
    return "RUNNING" if job.get("running") else "WAITING"


def get_result(job_id: str) -> Any:
    return _call("GET", _w(f"jobs_u/completed/get_result/{job_id}"))


def wait_job(job_id: str, timeout: Optional[float] = None, verbose: bool = False, cleanup: bool = True,
             assert_result_is_not_none: bool = False) -> Any:
    start = time.time()
    while True:
        r = _call("GET", _w(f"jobs_u/completed/get_result_maybe/{job_id}"))
        if r.get("completed"):
            if not r.get("success"):
                raise Exception(json.dumps(r.get("result")))
            if assert_result_is_not_none and r.get("result") is None:
                raise Exception(f"result of job {job_id} is None")
            return r.get("result")
        if timeout is not None and time.time() - start > timeout:
            raise TimeoutError(f"job {job_id} did not finish in {timeout} s")
        if verbose:
            print(f"waiting for job {job_id}")
        time.sleep(0.5)


def get_root_job_id(job_id: Optional[str] = None) -> str:
    return _call("GET", _w(f"jobs_u/get_root_job_id/{job_id or os.environ['WM_JOB_ID']}"))


def set_flow_user_state(key: str, value: Any) -> None:
    """Sets a key of the running flow's custom state, shared by all its steps for this run (spec 5)."""
    root = get_root_job_id()
    _call("POST", _w(f"jobs/flow/user_states/{root}/{urllib.parse.quote(key, safe='')}"), value)


def get_flow_user_state(key: str) -> Any:
    """The value at a key of the running flow's custom state, or None."""
    root = get_root_job_id()
    return _call("GET", _w(f"jobs/flow/user_states/{root}/{urllib.parse.quote(key, safe='')}"))


# ---- workspace object storage (spec 10.3, 10.4)

class S3Object(dict):
    """An object of a workspace storage: {"s3": key, "storage"?: secondary storage name}."""


def _s3_parts(s3object: Any):
    """(key, storage) of an S3Object dict or an 's3://storage/key' URI (an empty storage is the primary)."""
    if isinstance(s3object, str):
        if not s3object.startswith("s3://"):
            raise ValueError(f"not an s3:// URI: {s3object}")
        storage, _, key = s3object[len("s3://"):].partition("/")
        return key, (None if storage in ("", "_default_") else storage)
    if isinstance(s3object, dict) and "s3" in s3object:
        return s3object["s3"], s3object.get("storage")
    raise ValueError("expected an S3Object ({'s3': key}) or an s3:// URI")


def _s3_query(key: Optional[str], storage: Optional[str], s3_resource_path: Optional[str], **extra: Any) -> str:
    params = {"file_key": key, "storage": storage, "s3_resource_path": s3_resource_path, **extra}
    return urllib.parse.urlencode({k: v for k, v in params.items() if v})


def load_s3_file(s3object: Any, s3_resource_path: Optional[str] = None) -> bytes:
    """The whole content of a file of the workspace storage, as bytes."""
    with load_s3_file_reader(s3object, s3_resource_path) as reader:
        return reader.read()


def load_s3_file_reader(s3object: Any, s3_resource_path: Optional[str] = None):
    """A reader streaming a file of the workspace storage (close it when done)."""
    key, storage = _s3_parts(s3object)
    return _open("GET", _w("job_helpers/download_s3_file?" + _s3_query(key, storage, s3_resource_path)), timeout=3600)


def write_s3_file(s3object: Any, file_content: Any, s3_resource_path: Optional[str] = None, content_type: Optional[str] = None,
                  content_disposition: Optional[str] = None) -> S3Object:
    """Uploads bytes, a string or a binary reader (streamed) to the workspace storage; returns its S3Object.
    Without an S3Object the file gets a fresh key under windmill_uploads/."""
    key, storage = _s3_parts(s3object) if s3object is not None else (None, None)
    if isinstance(file_content, str):
        file_content = file_content.encode()
    if not isinstance(file_content, (bytes, bytearray)):
        reader = file_content
        file_content = iter(lambda: reader.read(1024 * 1024), b"")  # sent chunked, one MiB at a time
    query = _s3_query(key, storage, s3_resource_path, content_type=content_type, content_disposition=content_disposition)
    with _open("POST", _w("job_helpers/upload_s3_file?" + query), file_content, "application/octet-stream", timeout=3600) as resp:
        answer = json.loads(resp.read().decode())
    result = S3Object(s3=answer["file_key"])
    if storage:
        result["storage"] = storage
    return result


def get_boto3_connection_settings(s3_resource_path: Optional[str] = None) -> dict:
    """Settings for boto3.client('s3', **settings) on the workspace storage (needs read access to its resource unless public)."""
    s3 = _call("POST", _w("job_helpers/v2/s3_resource_info"), {"s3_resource_path": s3_resource_path} if s3_resource_path else {})
    scheme = "https" if s3.get("useSSL") else "http"
    return {
        "endpoint_url": f"{scheme}://{s3['endPoint']}",
        "region_name": s3.get("region"),
        "use_ssl": bool(s3.get("useSSL")),
        "aws_access_key_id": s3.get("accessKey"),
        "aws_secret_access_key": s3.get("secretKey"),
    }


boto3_connection_settings = get_boto3_connection_settings


def duckdb_connection_settings(s3_resource_path: Optional[str] = None) -> dict:
    """{'connection_settings_str': ...}: DuckDB statements that point httpfs at the workspace storage."""
    return _call("POST", _w("job_helpers/v2/duckdb_connection_settings"), {"s3_resource_path": s3_resource_path} if s3_resource_path else {})


def polars_connection_settings(s3_resource_path: Optional[str] = None) -> dict:
    """{'s3fs_args': ..., 'storage_options': ...} for polars / s3fs on the workspace storage."""
    return _call("POST", _w("job_helpers/v2/polars_connection_settings"), {"s3_resource_path": s3_resource_path} if s3_resource_path else {})
