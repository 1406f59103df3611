;; Grows a table by 200 million elements (1.6 GB of host memory), then writes
;; a result saying it got them.
(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 32)
  ;; The length of the NUL-terminated string at $s.
  (func $len (param $s i32) (result i32) (local $n i32)
    (block $end (loop $next
      (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $n))
  ;; Opens the file at path $p (below /work) for writing, created and truncated: its descriptor.
  (func $create (param $p i32) (result i32)
    (if (call $open (i32.const 3) (i32.const 0) (local.get $p) (call $len (local.get $p)) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (i32.load (i32.const 16)))
  ;; Writes $n bytes at $data to descriptor $fd.
  (func $put (param $fd i32) (param $data i32) (param $n i32) (result i32)
    (i32.store (i32.const 20) (local.get $data))
    (i32.store (i32.const 24) (local.get $n))
    (call $write (local.get $fd) (i32.const 20) (i32.const 1) (i32.const 28)))
  ;; Writes the NUL-terminated string at $data to the file at path $p.
  (func $write_file (param $p i32) (param $data i32)
    (drop (call $put (call $create (local.get $p)) (local.get $data) (call $len (local.get $data)))))
  (func $mkdir_at (param $p i32)
    (drop (call $mkdir (i32.const 3) (local.get $p) (call $len (local.get $p)))))
  ;; A symbolic link at path $p to target $t.
  (func $symlink_at (param $t i32) (param $p i32) (result i32)
    (call $symlink (local.get $t) (call $len (local.get $t)) (i32.const 3) (local.get $p) (call $len (local.get $p))))
  (table $t 1 funcref)
  (data (i32.const 400) "result.json\00")
  (data (i32.const 500) "{\"phase\":\"Succeeded\",\"message\":\"a huge table\",\"outputs\":{}}\00")
  (func (export "_start")
    (drop (table.grow $t (ref.null func) (i32.const 200000000)))
    (call $write_file (i32.const 400) (i32.const 500))))
