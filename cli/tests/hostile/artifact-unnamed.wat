;; An output artifact named "": its default key would be the step's folder
;; itself, reported at one key and stored at another. Refused.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "result.json")
  (data (i32.const 1000) "{\"phase\":\"Succeeded\",\"message\":\"unnamed\",\"outputs\":{\"artifacts\":[{\"name\":\"\",\"path\":\"/report\"}]}}")
  (data (i32.const 600) "artifacts-out/report")
  (data (i32.const 700) "leaked")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 600) (i32.const 20) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (i32.store (i32.const 20) (i32.const 700))
    (i32.store (i32.const 24) (i32.const 6))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (i32.store (i32.const 20) (i32.const 1000))
    (i32.store (i32.const 24) (i32.const 96))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))))
