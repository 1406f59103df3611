// Reading and writing files in the step's work directory, /work, through
// the raw WASI preview 1 calls (AssemblyScript has no file API of its own).

import {
  errno,
  errnoToString,
  fd,
  fd_close,
  fd_prestat_dir_name,
  fd_prestat_get,
  fd_read,
  fd_write,
  iovec,
  oflags,
  path_open,
  prestat,
  prestat_dir,
  rights,
} from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

/** A file's contents, or why it could not be read or written. */
export class FileResult {
  constructor(
    public text: string | null,
    public error: string | null,
  ) {}
}

/** The descriptor of the preopened directory called `name`, or -1. */
function preopened(name: string): fd {
  const stat = memory.data(sizeof<prestat_dir>());
  let dir: fd = 3;
  while (fd_prestat_get(dir, changetype<prestat>(stat)) == errno.SUCCESS) {
    const length = changetype<prestat_dir>(stat).name_len;
    const buffer = new ArrayBuffer(<i32>length);
    fd_prestat_dir_name(dir, changetype<usize>(buffer), length);
    if (String.UTF8.decode(buffer) == name) return dir;
    dir++;
  }
  return <fd>-1;
}

function open(path: string, flags: oflags, access: rights, opened: usize): errno {
  const dir = preopened("/work");
  if (dir == <fd>-1) return errno.NOENT;
  const encoded = String.UTF8.encode(path);
  return path_open(dir, 0, changetype<usize>(encoded), encoded.byteLength, flags, access, 0, 0, opened);
}

/** The text of `path` (relative to /work). */
export function readFile(path: string): FileResult {
  const opened = memory.data(sizeof<u32>());
  const status = open(path, 0, rights.FD_READ, opened);
  if (status != errno.SUCCESS) return new FileResult(null, `cannot read /work/${path}: ${errnoToString(status)}`);
  const file = load<u32>(opened);
  const chunks = new Array<Uint8Array>();
  let total = 0;
  const io = memory.data(sizeof<iovec>() + sizeof<usize>());
  for (;;) {
    const chunk = new Uint8Array(65536);
    changetype<iovec>(io).buf = chunk.dataStart;
    changetype<iovec>(io).buf_len = chunk.byteLength;
    const read = fd_read(file, io, 1, io + sizeof<iovec>());
    if (read != errno.SUCCESS) {
      fd_close(file);
      return new FileResult(null, `cannot read /work/${path}: ${errnoToString(read)}`);
    }
    const count = <i32>load<usize>(io + sizeof<iovec>());
    if (count == 0) break;
    chunks.push(chunk.subarray(0, count));
    total += count;
  }
  fd_close(file);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    bytes.set(chunks[i], offset);
    offset += chunks[i].length;
  }
  return new FileResult(String.UTF8.decode(bytes.buffer), null);
}

/** Replaces the contents of `path` (relative to /work) with `text`; the error, if any. */
export function writeFile(path: string, text: string): string | null {
  const opened = memory.data(sizeof<u32>());
  const status = open(path, oflags.CREAT | oflags.TRUNC, rights.FD_WRITE, opened);
  if (status != errno.SUCCESS) return `cannot write /work/${path}: ${errnoToString(status)}`;
  const file = load<u32>(opened);
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  const io = memory.data(sizeof<iovec>() + sizeof<usize>());
  let offset = 0;
  while (offset < bytes.length) {
    changetype<iovec>(io).buf = bytes.dataStart + offset;
    changetype<iovec>(io).buf_len = bytes.length - offset;
    const written = fd_write(file, io, 1, io + sizeof<iovec>());
    if (written != errno.SUCCESS) {
      fd_close(file);
      return `cannot write /work/${path}: ${errnoToString(written)}`;
    }
    offset += <i32>load<usize>(io + sizeof<iovec>());
  }
  fd_close(file);
  return null;
}
