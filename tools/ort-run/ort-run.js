#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (onnxruntime-node, CPU) on .npy or
// ONNX TensorProto .pb inputs and writes every output as <dir>/<name>.npy,
// the same contract as qcc-run, so that tests and benchmarks can compare
// qcc against ORT on identical files.
//
//   node tools/ort-run/ort-run.js MODEL.onnx [--input [NAME=]FILE]...
//        [--output-dir DIR] [--threads N] [--repeat N] [--warmup N]
//
// onnxruntime-node is installed by scripts/setup.sh into build/ort
// (QCC_ORT_MODULES overrides the node_modules directory).
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write(`ort-run: error: ${msg}\n`);
  process.exit(1);
}

function loadOrt() {
  const root = path.resolve(__dirname, '..', '..');
  const dirs = [process.env.QCC_ORT_MODULES,
                path.join(root, 'build', 'ort', 'node_modules')].filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, 'onnxruntime-node');
    if (fs.existsSync(p)) return require(p);
  }
  fail('onnxruntime-node not found (run scripts/setup.sh)');
}

// numpy descr <-> ORT type <-> typed array
const DTYPES = {
  f4: ['float32', Float32Array], f8: ['float64', Float64Array],
  i1: ['int8', Int8Array], i2: ['int16', Int16Array], i4: ['int32', Int32Array],
  i8: ['int64', BigInt64Array], u1: ['uint8', Uint8Array],
  u2: ['uint16', Uint16Array], u4: ['uint32', Uint32Array],
  u8: ['uint64', BigUint64Array], b1: ['bool', Uint8Array],
};
// ONNX TensorProto data_type -> numpy descr
const ONNX_TO_NPY = {1: 'f4', 2: 'u1', 3: 'i1', 4: 'u2', 5: 'i2', 6: 'i4',
                     7: 'i8', 9: 'b1', 11: 'f8', 12: 'u4', 13: 'u8'};

function makeTensor(ort, descr, bytes, dims) {
  const [type, Arr] = DTYPES[descr];
  const copy = Buffer.from(bytes); // aligned copy
  const data = new Arr(copy.buffer, copy.byteOffset,
                       copy.length / Arr.BYTES_PER_ELEMENT);
  return new ort.Tensor(type, type === 'bool' ? Uint8Array.from(data) : data,
                        dims);
}

function readNpy(ort, file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
    fail(`'${file}' is not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'[<|=]?([a-z]\d)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape || !DTYPES[descr[1]])
    fail(`'${file}': unsupported .npy header ${header.trim()}`);
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  return makeTensor(ort, descr[1], buf.subarray(start + hlen), dims);
}

// Minimal protobuf reader for onnx.TensorProto (dims=1, data_type=2,
// float_data=4, int32_data=5, int64_data=7, raw_data=9, double_data=10,
// uint64_data=11).
function readPb(ort, file) {
  const buf = fs.readFileSync(file);
  let pos = 0;
  const varint = () => {
    let r = 0n, shift = 0n;
    for (;;) {
      if (pos >= buf.length) fail(`'${file}': truncated TensorProto`);
      const b = buf[pos++];
      r |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return r;
      shift += 7n;
    }
  };
  const dims = [], f32 = [], i32 = [], i64 = [], f64 = [], u64 = [];
  let dtype = 0, raw = null;
  while (pos < buf.length) {
    const key = Number(varint()), field = key >> 3, wire = key & 7;
    const repeated = (target, readOne) => {
      if (wire === 2) {
        const len = Number(varint());
        const end = pos + len;
        while (pos < end) target.push(readOne());
      } else {
        target.push(readOne());
      }
    };
    if (field === 1) repeated(dims, () => Number(BigInt.asIntN(64, varint())));
    else if (field === 2) dtype = Number(varint());
    else if (field === 4) repeated(f32, () => { const v = buf.readFloatLE(pos); pos += 4; return v; });
    else if (field === 5) repeated(i32, () => Number(BigInt.asIntN(32, varint())));
    else if (field === 7) repeated(i64, () => BigInt.asIntN(64, varint()));
    else if (field === 10) repeated(f64, () => { const v = buf.readDoubleLE(pos); pos += 8; return v; });
    else if (field === 11) repeated(u64, () => varint());
    else if (field === 9) { const n = Number(varint()); raw = buf.subarray(pos, pos + n); pos += n; }
    else if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) { const n = Number(varint()); pos += n; }
    else fail(`'${file}': malformed TensorProto`);
  }
  const descr = ONNX_TO_NPY[dtype];
  if (!descr) fail(`'${file}': unsupported TensorProto data type ${dtype}`);
  if (raw) return makeTensor(ort, descr, raw, dims);
  const [type, Arr] = DTYPES[descr];
  const values = f32.length ? f32 : f64.length ? f64 : i64.length ? i64
               : u64.length ? u64 : i32;
  const data = Arr.from(values, v => (Arr === BigInt64Array || Arr === BigUint64Array)
                                          ? BigInt(v) : Number(v));
  return new ort.Tensor(type, data, dims);
}

function writeNpy(file, tensor) {
  const npy = Object.entries(DTYPES).find(([, [t]]) => t === tensor.type);
  if (!npy) fail(`output type ${tensor.type} cannot be written`);
  const [descr, [, Arr]] = npy;
  const order = Arr.BYTES_PER_ELEMENT === 1 ? '|' : '<';
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)`
                                         : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${order}${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.type === 'bool' ? Buffer.from(tensor.data.map(v => v ? 1 : 0))
                                      : Buffer.from(tensor.data.buffer, tensor.data.byteOffset,
                                                    tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const args = process.argv.slice(2);
  let model = null, outDir = null, threads = 2, repeat = 0, warmup = 3;
  const inputs = [];
  for (let i = 0; i < args.length; ++i) {
    const a = args[i];
    const val = () => { if (i + 1 >= args.length) fail(`${a} needs a value`); return args[++i]; };
    if (a === '--input') inputs.push(val());
    else if (a === '--output-dir') outDir = val();
    else if (a === '--threads') threads = Number(val());
    else if (a === '--repeat') repeat = Number(val());
    else if (a === '--warmup') warmup = Number(val());
    else if (a.startsWith('-')) fail(`unknown option '${a}'`);
    else if (!model) model = a;
    else fail(`unexpected argument '${a}'`);
  }
  if (!model) fail('usage: ort-run.js MODEL.onnx [--input [NAME=]FILE]... [--output-dir DIR] [--threads N] [--repeat N]');
  const ort = loadOrt();
  let session;
  try {
    session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads, interOpNumThreads: 1,
      graphOptimizationLevel: 'all', executionMode: 'sequential'});
  } catch (e) { fail(`cannot load '${model}': ${e.message}`); }
  const feeds = {};
  let next = 0;
  for (const spec of inputs) {
    const eq = spec.indexOf('=');
    const name = eq > 0 && !fs.existsSync(spec) ? spec.slice(0, eq) : session.inputNames[next++];
    const file = eq > 0 && !fs.existsSync(spec) ? spec.slice(eq + 1) : spec;
    if (!session.inputNames.includes(name)) fail(`the model has no input named '${name}'`);
    feeds[name] = file.endsWith('.pb') ? readPb(ort, file) : readNpy(ort, file);
  }
  for (const n of session.inputNames)
    if (!feeds[n]) fail(`no value given for input '${n}'`);
  let results = await session.run(feeds);
  if (repeat > 0) {
    for (let i = 0; i < warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < repeat; ++i) {
      const t0 = process.hrtime.bigint();
      results = await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((x, y) => x - y);
    console.log(`latency: median ${times[times.length >> 1].toFixed(3)} ms, min ${times[0].toFixed(3)} ms over ${repeat} runs`);
  }
  if (outDir) {
    fs.mkdirSync(outDir, {recursive: true});
    for (const n of session.outputNames)
      writeNpy(path.join(outDir, n.replace(/\//g, '_') + '.npy'), results[n]);
  }
}
main().catch(e => fail(e.message));
