;; A chain of folders 25,000 deep below /work (d/d/d/…), each made through a
;; descriptor of the one above (closed after): deeper than a recursive removal
;; has stack frames or descriptors for, and too long a path to name at once.
;; The step itself succeeds; the host must then remove all of it and live on.
(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "d")
  (data (i32.const 200) "result.json")
  (data (i32.const 300) "{\"phase\":\"Succeeded\",\"message\":\"made a chain of 25000 folders\"}")
  (func (export "_start") (local $fd i32) (local $level i32)
    (local.set $fd (i32.const 3))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $level) (i32.const 25000)))
      (if (call $mkdir (local.get $fd) (i32.const 100) (i32.const 1)) (then unreachable))
      ;; oflags 2: a directory
      (if (call $open (local.get $fd) (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 2)
                      (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
      (if (i32.ne (local.get $fd) (i32.const 3)) (then (drop (call $close (local.get $fd)))))
      (local.set $fd (i32.load (i32.const 16)))
      (local.set $level (i32.add (local.get $level) (i32.const 1)))
      (br $next)))
    ;; oflags 9: created, truncated; rights 64: fd_write
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (i32.store (i32.const 20) (i32.const 300))
    (i32.store (i32.const 24) (i32.const 63))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))))
