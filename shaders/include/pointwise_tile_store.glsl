// The output stage of pointwise_conv_tiled.comp and pointwise_conv_subgroup.comp (same tiling, same dispatch
// split), included as statements at the end of their main(): stores the invocation's PX pixels x OC_TILE
// channels from TILE_SUM(i) (the i-th vec4 of sums), adding the bias in the first part of a split layer, the
// residual (first part) or the earlier parts' partial sums (later parts), and the activation in the last part.
// Expects p0, pix, n and co0 in scope. (A function taking the sums would need an array parameter sized by
// specialization constants, which glslang matches unreliably: "no matching overloaded function" at random.)
    for (int v = 0; v < V; v++)
        for (int c = 0; c < 4; c++) {
            int co = co0 + v * 4 + c;
            if (co >= OUT_C) continue;
            real b = HAS_BIAS != 0 ? W(pc.bias + co) : real(0);
            uint o = pc.out0 + uint((n * OUT_C + co) * HW);
            uint r = pc.in1 + uint((n * OUT_C + co) * HW);
            // Where rows are whole vec4s, the residual / partial sums are read through the vec4 view as well:
            // mixing scalar and vec4 reads of the arena in one kernel measured 2x slower on lavapipe.
            real prior[PX];
            bool needPrior = FIRST == 0 || HAS_RESIDUAL != 0;
            uint from = FIRST != 0 ? r : o;
            if (needPrior && VEC4_ROWS) {
                real4 p4 = real4(act4[(from + uint(p0)) >> 2]);
                for (int k = 0; k < PX; k++) prior[k] = p4[k % 4];
            } else if (needPrior) {
                for (int k = 0; k < PX; k++) prior[k] = LOAD(from + pix[k]);
            }
            for (int k = 0; k < PX; k++) {
                if (p0 + k >= HW) break;
                real s = real(TILE_SUM(k * V + v)[c]);
                if (FIRST != 0) s += b;
                if (needPrior) s += prior[k];
                STORE(o + uint(p0 + k), LAST != 0 ? activate(s, ACT) : s);
            }
        }
