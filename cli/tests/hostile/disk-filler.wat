;; Writes 64 KiB at a time to /work/fill until a write fails: a step filling
;; the disk that the steps beside it share. The host stops it at its budget
;; (--max-work-dir); were it only refused, it would succeed.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 100) "fill")
  (data (i32.const 200) "result.json")
  (data (i32.const 1000) "{\"phase\":\"Succeeded\",\"message\":\"the disk filled up\"}")
  (func (export "_start") (local $fd i32)
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 4) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (local.set $fd (i32.load (i32.const 16)))
    ;; one buffer: 64 KiB from 65536
    (i32.store (i32.const 40) (i32.const 65536))
    (i32.store (i32.const 44) (i32.const 65536))
    (loop $again
      (br_if $again (i32.eqz (call $write (local.get $fd) (i32.const 40) (i32.const 1) (i32.const 48)))))
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (i32.store (i32.const 20) (i32.const 1000))
    (i32.store (i32.const 24) (i32.const 52))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))))
