"""The web app's settings: one frozen `WebSettings`, built at the edge from defaults,
`ASSISTANT_*` environment variables and command-line flags, checked at construction.

    host, port              where the server listens
    data_dir                where the feedback database lives (SQLite by default)
    database_url            any SQLAlchemy URL; empty means SQLite under `data_dir`
    allowed_origins         sites allowed to embed the widget and call the API from a browser
    base_path               public path prefix when served behind a reverse proxy
    theme_color, greeting   the look and the first words of the chat and the widget
    rate_per_minute         questions per minute from one browser session (0: no limit)
    rate_per_minute_ip      questions per minute from one address (0: no limit)
    trusted_proxies         proxies whose X-Forwarded-For is believed (addresses or networks)
    retention_days          days the editors' log and the ratings are kept (purged at start-up)
    admin_token             the editors' digest page at /admin needs it; empty: no page
    pipeline                the answering pipeline's own `Settings` (its `max_history_turns`:
                            earlier turns a caller may send, for the web app too)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import UserError
from ..settings import PROJECT_ROOT, Settings, env_values
from .limits import parse_proxies

DEFAULT_THEME_COLOR = "#00558c"
_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 7860
    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str = ""  # empty: sqlite:///<data_dir>/feedback.sqlite3
    allowed_origins: tuple[str, ...] = ()  # e.g. ("https://www.cress-hdf.org",); ("*",) = any
    base_path: str = ""  # e.g. "/assistant" when a proxy serves the app there
    theme_color: str = DEFAULT_THEME_COLOR
    greeting: str = ""  # empty: `wording.greeting`, naming the guide from the index
    # answers computed at the same time, the rest wait in Gradio's queue; answering is CPU-bound,
    # so one per core (measured on 2 cores: 10 clients wait half as long as with 4)
    concurrency: int = field(default_factory=lambda: os.cpu_count() or 1)
    rate_per_minute: int = 10
    rate_per_minute_ip: int = 60  # a school or an office shares one address
    trusted_proxies: tuple[str, ...] = ()  # e.g. ("127.0.0.1",) behind nginx on the same host
    retention_days: int = 90
    admin_token: str = ""  # ASSISTANT_ADMIN_TOKEN; empty: no /admin page
    pipeline: Settings = field(default_factory=Settings)

    def __post_init__(self) -> None:
        if min(self.rate_per_minute, self.rate_per_minute_ip, self.pipeline.max_history_turns) < 0:
            raise UserError(
                "Les limites de débit et d'historique doivent être positives ou nulles."
            )
        try:
            object.__setattr__(self, "trusted_proxies", parse_proxies(self.trusted_proxies))
        except ValueError as exc:
            raise UserError(f"Proxy de confiance invalide : {exc}") from None
        if not 0 < self.port < 65536:
            raise UserError(f"Le port {self.port} n'est pas valide (1 à 65535).")
        if not _HEX_COLOR.match(self.theme_color):
            raise UserError(
                f"La couleur « {self.theme_color} » n'est pas valide : donnez-la en hexadécimal, par exemple #00558c."
            )
        if self.retention_days < 1:
            raise UserError("La durée de conservation doit être d'au moins 1 jour.")
        if self.concurrency < 1:
            raise UserError("La concurrence doit être d'au moins 1.")
        object.__setattr__(self, "allowed_origins", normalize_origins(self.allowed_origins))
        object.__setattr__(self, "base_path", normalize_base_path(self.base_path))
        if not self.greeting.strip():
            object.__setattr__(self, "greeting", "")

    @property
    def feedback_url(self) -> str:
        """The SQLAlchemy URL of the feedback store."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'feedback.sqlite3').resolve()}"

    @classmethod
    def from_env(
        cls,
        environ: dict[str, str] | None = None,
        *,
        pipeline: Settings | None = None,
        **overrides: Any,
    ) -> WebSettings:
        """Defaults, then `ASSISTANT_<FIELD>` environment variables, then `overrides` (None = unset)."""
        env = os.environ if environ is None else environ
        values = env_values(
            cls, env, {"allowed_origins": normalize_origins, "trusted_proxies": str}
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["pipeline"] = pipeline or Settings.from_env(env)
        return replace(cls(), **values)


def normalize_origins(origins: Iterable[str] | str) -> tuple[str, ...]:
    """`scheme://host[:port]` origins, lower-cased, without a trailing slash; "*" alone means any.

    A comma- or space-separated string is accepted too. Raises UserError for anything that is
    not an origin (a path, a missing scheme), because a typo here silently blocks the widget.
    """
    if isinstance(origins, str):
        origins = re.split(r"[\s,]+", origins)
    out: list[str] = []
    for raw in origins:
        value = raw.strip().rstrip("/")
        if not value:
            continue
        if value == "*":
            return ("*",)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise UserError(
                f"« {raw} » n'est pas une origine : écrivez-la comme https://www.exemple.fr (sans chemin)."
            )
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        if origin not in out:
            out.append(origin)
    return tuple(out)


def normalize_base_path(path: str) -> str:
    """ "" or "/prefix" (one leading slash, none trailing)."""
    path = path.strip().strip("/")
    if not path:
        return ""
    if not re.fullmatch(r"[A-Za-z0-9._~\-/]+", path):
        raise UserError(f"Le chemin de base « {path} » contient des caractères non permis.")
    return "/" + path
