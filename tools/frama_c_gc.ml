(* Loaded into Frama-C by tools/prove.sh (-load-module): gives WP's OCaml
   runtime a larger minor heap and lets the major heap grow further before a
   collection. Frama-C sets the minor heap to 256k words at start-up, after
   OCAMLRUNPARAM is read, so only code that runs after that can change it.
   With 8M words (64 MiB) and a space overhead of 200, WP's own work on
   hs_known.c took about 29 % less time; 16M words was slower than 8M and 2M
   slower still. The collector's settings change what WP computes in no way:
   only when memory is reclaimed. *)
let () =
  Gc.set { (Gc.get ()) with Gc.minor_heap_size = 1 lsl 23; space_overhead = 200 }
