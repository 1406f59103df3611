;; Makes empty folders /work/aaaaaa, /work/aaaaab, … until refused: a step
;; using up the inodes of the disk that the steps beside it share. The host
;; stops it at its budget (--max-work-dir-entries); were it only refused, it
;; would succeed.
(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "result.json")
  (data (i32.const 1000) "{\"phase\":\"Succeeded\",\"message\":\"made folders until refused\"}")
  (func (export "_start") (local $n i32) (local $digit i32)
    (loop $again
      ;; the name of folder $n: six letters, a to p, one per 4 bits
      (local.set $digit (i32.const 0))
      (loop $letters
        (i32.store8 (i32.add (i32.const 100) (local.get $digit))
          (i32.add (i32.const 97)
            (i32.and (i32.shr_u (local.get $n) (i32.mul (local.get $digit) (i32.const 4))) (i32.const 15))))
        (local.set $digit (i32.add (local.get $digit) (i32.const 1)))
        (br_if $letters (i32.lt_u (local.get $digit) (i32.const 6))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $again (i32.eqz (call $mkdir (i32.const 3) (i32.const 100) (i32.const 6)))))
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 9)
                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)) (then unreachable))
    (i32.store (i32.const 20) (i32.const 1000))
    (i32.store (i32.const 24) (i32.const 60))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))))
