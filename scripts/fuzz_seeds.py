#!/usr/bin/env python3
"""Writes libFuzzer seed corpora (one file per recorded message) for each fuzz target.

Usage: fuzz_seeds.py DATA_DIR OUT_DIR
"""
import base64
import json
import pathlib
import sys

MAX_SEEDS = 300


def capture_frames(path):
    """The frames a raw capture received (text in "data", binary frames base64 in "b64")."""
    frames = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("t") == "recv":
                frames.append(record["data"] if "data" in record else base64.b64decode(record["b64"]).decode("utf-8"))
    return frames


def rest_bodies(folder):
    """The JSON bodies of recorded REST fixtures (line 4 onwards)."""
    return ["".join(p.read_text(encoding="utf-8").splitlines(keepends=True)[3:]) for p in sorted(folder.glob("*.txt"))]


def pushed_messages(files):
    """Lines of recorded WebSocket fixtures: sent ('>'), acknowledged ('<') and pushed ('=')."""
    messages = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line[:1] in "<>=" and len(line) > 2:
                messages.append(line[2:])
    return messages


def main():
    data = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    fixtures = data / "fixtures"
    capture = data / "capture"
    seeds = {
        "decimal_fuzz": ["0", "-3.2", "150389000.0", "1.5e-05", "0.00000001", "92233720368.54775807", ".5"],
        "bybit_public_fuzz": capture_frames(capture / "bybit_v5_public_ws_2026-08-09.jsonl")
        + pushed_messages((fixtures / "bybit" / "ws").glob("Linear_*.txt"))
        + pushed_messages((fixtures / "bybit" / "ws").glob("Spot_*.txt")),
        "bybit_private_fuzz": pushed_messages((fixtures / "bybit" / "ws").glob("Private_*.txt")),
        "bybit_rest_fuzz": rest_bodies(fixtures / "bybit" / "rest"),
        "upbit_stream_fuzz": capture_frames(capture / "upbit_ws_simple_2021-04-17.jsonl")
        + pushed_messages((fixtures / "upbit" / "ws").glob("*.txt")),
        "upbit_rest_fuzz": rest_bodies(fixtures / "upbit" / "rest"),
        "fx_fuzz": ['[{"code":"FRX.KRWUSD","currencyCode":"USD","basePrice":1383.5,"timestamp":1754006400000}]'],
    }
    for target, messages in seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        step = max(1, len(messages) // MAX_SEEDS)
        for index, message in enumerate(messages[::step][:MAX_SEEDS]):
            (folder / f"seed-{index:04d}").write_text(message, encoding="utf-8")


if __name__ == "__main__":
    main()
