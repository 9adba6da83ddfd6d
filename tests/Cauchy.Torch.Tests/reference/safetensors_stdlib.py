#!/usr/bin/env python3
# A safetensors reader and writer using only the standard library (Python's safetensors package is not packaged
# for Debian), so SafetensorsTests can check interoperability with an implementation that is not ours:
#   safetensors_stdlib.py write PATH   writes the tensors below (data order differs from header order on purpose)
#   safetensors_stdlib.py read PATH    validates PATH as the reference reader does and prints its content as JSON
import json
import struct
import sys

FORMATS = {"F32": ("f", 4), "F64": ("d", 8), "I64": ("q", 8), "U8": ("B", 1), "BOOL": ("?", 1)}

# name -> (dtype, shape, values), written to the data section in this order.
SAMPLE = [
    ("pixels", "U8", [2, 2], [0, 127, 128, 255]),
    ("weight", "F32", [2, 3], [i * 0.5 - 1.0 for i in range(6)]),
    ("index", "I64", [4], [-2, 0, 5, 1 << 40]),
    ("mask", "BOOL", [3], [True, False, True]),
    ("double", "F64", [2], [1.0 / 3.0, -2.5e-300]),
    ("empty", "F32", [0], []),
]
METADATA = {"format": "pt", "source": "stdlib"}


def write(path):
    header = {"__metadata__": METADATA}
    data = b""
    for name, dtype, shape, values in SAMPLE:
        code, size = FORMATS[dtype]
        chunk = struct.pack("<%d%s" % (len(values), code), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(chunk)]}
        data += chunk
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise SystemExit("header runs past the end of the file")
    header = json.loads(blob[8:8 + n])
    if (8 + n) % 8 != 0:
        raise SystemExit("data section is not 8-byte aligned")
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    position = 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        if begin != position:
            raise SystemExit("tensor %s does not start where the previous one ended" % name)
        code, size = FORMATS[info["dtype"]]
        count = 1
        for dim in info["shape"]:
            count *= dim
        if count * size != end - begin:
            raise SystemExit("tensor %s: size does not match dtype and shape" % name)
        values = list(struct.unpack("<%d%s" % (count, code), data[begin:end]))
        tensors[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": values}
        position = end
    if position != len(data):
        raise SystemExit("bytes after the last tensor")
    print(json.dumps({"metadata": metadata, "order": list(header.keys()), "tensors": tensors}))


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
