;; A Failed result.json whose message is 1 MiB long: "a" and then 524,288
;; "é" (two bytes each), within the 16 MiB the host reads. The node must
;; carry only the first 8 KiB of it, cut between two characters.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 18)
  (data (i32.const 200) "result.json")
  (data (i32.const 300) "{\"phase\":\"Failed\",\"message\":\"a")
  (data (i32.const 400) "\"}")
  ;; Writes $n bytes at $data to descriptor $fd.
  (func $put (param $fd i32) (param $data i32) (param $n i32)
    (i32.store (i32.const 20) (local.get $data))
    (i32.store (i32.const 24) (local.get $n))
    (if (call $write (local.get $fd) (i32.const 20) (i32.const 1) (i32.const 28)) (then unreachable))
    (if (i32.ne (i32.load (i32.const 28)) (local.get $n)) (then unreachable)))
  (func (export "_start")
    (local $fd i32) (local $at i32)
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (local.set $fd (i32.load (i32.const 16)))
    ;; 1 MiB of "é" (0xC3 0xA9) at 64 KiB.
    (local.set $at (i32.const 65536))
    (loop $fill
      (i32.store16 (local.get $at) (i32.const 0xA9C3))
      (local.set $at (i32.add (local.get $at) (i32.const 2)))
      (br_if $fill (i32.lt_u (local.get $at) (i32.const 1114112))))
    (call $put (local.get $fd) (i32.const 300) (i32.const 30))
    (call $put (local.get $fd) (i32.const 65536) (i32.const 1048576))
    (call $put (local.get $fd) (i32.const 400) (i32.const 2))))
