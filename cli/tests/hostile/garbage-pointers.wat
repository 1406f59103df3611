;; Gives every legacy HTTP function pointers and lengths outside its memory
;; (and a handle it never got). Each must answer its error code, not crash or
;; hang the host: the module checks the codes (MEMORY_ACCESS_ERROR 3,
;; INVALID_HANDLE 1) and traps at once if one is not the expected one. Then it
;; writes a Failed result saying so, and gives WASI an out-of-bounds pointer,
;; which WASI answers with a trap.
(module
  (import "wasi_experimental_http" "req"
    (func $req (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "close" (func $close (param i32) (result i32)))
  (import "wasi_experimental_http" "header_get" (func $header_get (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "headers_get_all" (func $headers_get_all (param i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "body_read" (func $body_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "http://127.0.0.1:9/")
  (data (i32.const 200) "GET")
  (data (i32.const 400) "result.json")
  (data (i32.const 500) "{\"phase\":\"Failed\",\"message\":\"every garbage call was refused\",\"outputs\":{}}")
  (func $expect (param $got i32) (param $want i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then unreachable)))
  (func (export "_start")
    ;; the URL far outside the memory
    (call $expect (call $req (i32.const 0xFFFFFF00) (i32.const 0x1000) (i32.const 200) (i32.const 3)
                             (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
                  (i32.const 3))
    ;; a length that wraps around
    (call $expect (call $req (i32.const 100) (i32.const 0xFFFFFFFF) (i32.const 200) (i32.const 3)
                             (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
                  (i32.const 3))
    ;; the method outside; then the body outside
    (call $expect (call $req (i32.const 100) (i32.const 19) (i32.const 0x7FFFFFFF) (i32.const 3)
                             (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
                  (i32.const 3))
    (call $expect (call $req (i32.const 100) (i32.const 19) (i32.const 200) (i32.const 3)
                             (i32.const 0) (i32.const 0) (i32.const 0xFFFF0000) (i32.const 0x10000)
                             (i32.const 0) (i32.const 0))
                  (i32.const 3))
    ;; handles it never got
    (call $expect (call $close (i32.const 12345)) (i32.const 1))
    (call $expect (call $headers_get_all (i32.const 77) (i32.const 0xFFFFFFF0) (i32.const 100) (i32.const 0xFFFFFFF0))
                  (i32.const 1))
    ;; a header name outside, a body buffer outside
    (call $expect (call $header_get (i32.const 77) (i32.const 0xFFFFFFF0) (i32.const 64) (i32.const 0) (i32.const 16)
                                    (i32.const 0))
                  (i32.const 3))
    (call $expect (call $body_read (i32.const 77) (i32.const 0xFFFFFFF0) (i32.const 0xFFFF) (i32.const 0))
                  (i32.const 3))
    ;; all refused: say so, then give WASI a pointer outside the memory
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 400) (i32.const 11) (i32.const 9)
                      (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))
    (i32.store (i32.const 20) (i32.const 500))
    (i32.store (i32.const 24) (i32.const 74))
    (drop (call $write (i32.load (i32.const 16)) (i32.const 20) (i32.const 1) (i32.const 28)))
    (drop (call $write (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 4) (i32.const 28)))))
