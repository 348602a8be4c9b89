"""The UI's own CSS and JavaScript (no CDN: everything is served by hookcast)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
CACHED = {"Cache-Control": "public, max-age=3600"}

router = APIRouter()


@router.get("/ui/static/{name}")
async def static_file(name: str) -> FileResponse:
    path = STATIC_DIR / name
    if "/" in name or name.startswith(".") or path.suffix not in TYPES or not _is_file(path):
        raise HTTPException(404, "no such file")
    return FileResponse(path, media_type=TYPES[path.suffix], headers=CACHED)


def _is_file(path: Path) -> bool:
    """``Path.is_file`` raises for a name the file system refuses (over 255 bytes, a NUL): no
    such file either."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """Browsers ask for it on every site, whatever the pages link: answer with our icon, not a 404."""
    return FileResponse(STATIC_DIR / "favicon.ico", media_type=TYPES[".ico"], headers=CACHED)
