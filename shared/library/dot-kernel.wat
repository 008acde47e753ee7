;; Float32 dot products of every gallery row with one query, using WebAssembly SIMD.
;; Source of dot-kernel-wasm.ts (regenerate with `npx tsx shared/library/dot-kernel.build.ts`).
;;
;; Memory layout is chosen by gallery.ts: `rows` descriptors of `dims` float32 each (dims a multiple of 8)
;; at $matrix, the query as `dims` float32 at $query, and one float32 per row written to $out. Two
;; independent accumulators of four lanes each keep the adds from waiting on one another.
(module
  (memory (export "memory") 1)
  (func (export "dotRows") (param $matrix i32) (param $query i32) (param $out i32) (param $rows i32) (param $dims i32)
    (local $acc0 v128) (local $acc1 v128)
    (local $q i32) (local $queryEnd i32) (local $outEnd i32)
    (local.set $queryEnd (i32.add (local.get $query) (i32.shl (local.get $dims) (i32.const 2))))
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $out) (local.get $outEnd)))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $acc1 (v128.const i64x2 0 0))
        (local.set $q (local.get $query))
        (loop $next8
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul (v128.load (local.get $matrix)) (v128.load (local.get $q)))))
          (local.set $acc1 (f32x4.add (local.get $acc1)
            (f32x4.mul (v128.load offset=16 (local.get $matrix)) (v128.load offset=16 (local.get $q)))))
          (local.set $matrix (i32.add (local.get $matrix) (i32.const 32)))
          (local.set $q (i32.add (local.get $q) (i32.const 32)))
          (br_if $next8 (i32.lt_u (local.get $q) (local.get $queryEnd))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $nextRow)))))
