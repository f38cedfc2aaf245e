// One 3x3 stride-1 layer (pad 1, ReLU, random weights) run directly and as Winograd F(2x2, 3x3) and F(4x4, 3x3), side by
// side in one process, interleaved round by round, per-dispatch timestamps. Direct is the planar conv2d_tiled (the only
// direct 3x3 kernel of this build); Winograd runs channel-packed (its input / GEMM / output dispatches, the layout
// conversions around the one-layer graph not counted). Prints per algorithm the median / minimum ms of the layer, its
// effective GFLOP/s (a direct convolution's 2 x 9 x InC x OutC x H x W over that time) and the dispatches' medians, and
// each output's largest difference from the direct one. Under load, compare minimums and the ratios of one run.
// Build first: dotnet build cli/Gmn.csproj -c Release. Then:
//   dotnet fsi scripts/winograd-bench.fsx C H W ROUNDS RUNS        (e.g. 64 56 56 8 5, or 256 14 14 8 5)
#r "../cli/bin/Release/net10.0/Silk.NET.Core.dll"
#r "../cli/bin/Release/net10.0/Silk.NET.Vulkan.dll"
#r "../cli/bin/Release/net10.0/GpuMobileNet.dll"
open System
open GpuMobileNet.Graph
open GpuMobileNet.Kernels
open GpuMobileNet.Passes
open GpuMobileNet.Runtime
open GpuMobileNet.Tensors
open GpuMobileNet.Vulkan
let a = fsi.CommandLineArgs |> Array.skip 1 |> Array.map int
if a.Length < 5 then failwith "usage: dotnet fsi scripts/winograd-bench.fsx C H W ROUNDS RUNS"
let c, h, w, rounds, runs = a.[0], a.[1], a.[2], a.[3], a.[4]
let rnd = Random(1)
let random n scale = Array.init n (fun _ -> float32 ((rnd.NextDouble() * 2.0 - 1.0) * scale))
let b = GraphBuilder($"conv3x3_{c}x{h}x{w}", TensorShape(c, h, w))
let y = b.Conv2d("conv", b.Input, c, 3, 1, Padding.Symmetric 1, 1, random (c * c * 9) (sqrt (3.0 / float (c * 9))), random c 0.1, Activation.Relu)
let graph = b.Build y
let device = VulkanDevice.Open()
let variants =
    [| "direct", SessionOptions(Profiling = true, Passes = PassOptions(PackChannels = false))
       "F(2x2,3x3)", SessionOptions(Profiling = true, Passes = PassOptions(PackChannels = true), Kernels = KernelChoice(Conv3x3 = Conv3x3Algorithm.WinogradF2))
       "F(4x4,3x3)", SessionOptions(Profiling = true, Passes = PassOptions(PackChannels = true), Kernels = KernelChoice(Conv3x3 = Conv3x3Algorithm.WinogradF4)) |]
let sessions = variants |> Array.map (fun (_, o) -> InferenceSession.Create(graph, device, o))
let input = random sessions.[0].InputLength 1.0
let outs = sessions |> Array.map (fun s -> Array.zeroCreate<float32> s.OutputLength)
let layer = sessions |> Array.map (fun _ -> ResizeArray<float>())
let parts = sessions |> Array.map (fun _ -> Collections.Generic.Dictionary<string, ResizeArray<float>>())
for i in 0 .. sessions.Length - 1 do for _ in 1 .. 3 do sessions.[i].Run(input, outs.[i])
for r in 0 .. rounds - 1 do
    for k in 0 .. sessions.Length - 1 do
        let i = if r % 2 = 0 then k else sessions.Length - 1 - k
        for _ in 1 .. runs do
            sessions.[i].Run(input, outs.[i])
            let mine = sessions.[i].LastTimings |> Seq.filter (fun t -> t.Layer.StartsWith "conv" && not (t.Layer.Contains "/"))
            layer.[i].Add(mine |> Seq.sumBy (fun t -> t.Milliseconds))
            for t in mine do
                if not (parts.[i].ContainsKey t.Layer) then parts.[i].[t.Layer] <- ResizeArray()
                parts.[i].[t.Layer].Add t.Milliseconds
let median (xs: ResizeArray<float>) = let s = Seq.sort xs |> Array.ofSeq in s.[s.Length / 2]
let flop = 2.0 * 9.0 * float c * float c * float h * float w
printfn "%s on %s, %d rounds x %d runs, %.2f GFLOP a run (direct count)" graph.Name device.Name rounds runs (flop / 1e9)
for i in 0 .. sessions.Length - 1 do
    let med, mn = median layer.[i], Seq.min layer.[i]
    let diff = Seq.zip outs.[i] outs.[0] |> Seq.map (fun (x, y) -> abs (float x - float y)) |> Seq.max
    let split = parts.[i] |> Seq.map (fun kv -> $"{kv.Key} {median kv.Value:F3} / {Seq.min kv.Value:F3}") |> String.concat ", "
    printfn "%-11s median %7.3f ms  min %7.3f ms  %6.1f GFLOP/s (median)  max |diff| vs direct %.1e   [%s]" (fst variants.[i]) med mn (flop / med / 1e6) diff split
for s in sessions do s.Dispose()
device.Dispose()
