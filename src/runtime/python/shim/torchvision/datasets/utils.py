"""Dataset file helpers: MD5 checks and downloads with progress.

Pyodide has no sockets, so a download runs on a helper thread of the runtime (Node's fetch) and writes straight to
the host file; Python waits for it in short steps, printing progress, and can be interrupted with Ctrl+C.
"""
import hashlib
import json
import os
import sys
import time

import _trainloop_data as _D
from torch._engine import call

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "DownloadError"]

# No response within this long fails the attempt (so an offline machine fails in seconds, not minutes).
CONNECT_TIMEOUT_S = 15
# A transfer that receives nothing for this long fails too.
STALL_TIMEOUT_S = 30


class DownloadError(OSError):
    """A download that did not complete: `reason` says why (DNS failure, HTTP status, timeout, checksum)."""

    def __init__(self, url, reason):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def _size(n):
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def _show_progress(received, total, stream):
    if total:
        stream.write(f"\r  {100 * received // total:3d}%  {_size(received)} of {_size(total)}")
    else:
        stream.write(f"\r  {_size(received)}")
    stream.flush()


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Downloads `url` into `root/filename` (default: the URL's last path segment), showing progress on stderr.
    Raises DownloadError when it fails or the file's MD5 is not `md5`."""
    root = os.path.expanduser(root)
    path = os.path.abspath(os.path.join(root, filename or os.path.basename(url)))
    if check_integrity(path, md5):
        print(f"Using downloaded and verified file: {path}")
        return
    os.makedirs(root, exist_ok=True)
    print(f"Downloading {url} to {path}")
    download = call(_D.download_start, url, path, CONNECT_TIMEOUT_S * 1000, STALL_TIMEOUT_S * 1000)
    status = {"state": "running"}
    last_shown = 0.0
    try:
        while status["state"] == "running":
            status = json.loads(call(_D.download_poll, download, 250))
            now = time.monotonic()
            if status["received"] and (now - last_shown > 0.25 or status["state"] == "done"):
                _show_progress(status["received"], status["total"], sys.stderr)
                last_shown = now
    except BaseException:
        _D.download_cancel(download)
        raise
    if last_shown:
        sys.stderr.write("\n")
    if status["state"] == "failed":
        raise DownloadError(url, status["message"])
    if md5 is not None and not check_md5(path, md5):
        os.remove(path)
        raise DownloadError(url, "the downloaded file's MD5 checksum does not match")
