// Kernel variants timed side by side in one process, interleaved round by round (the 2-core machine is shared:
// alternating runs in one process is the fairest comparison it allows). Each variant is its own device whose
// kernels may be replaced by GLSL files (DeviceOptions.KernelOverrides); all run the same built-in network, seeded
// weights and input, with per-dispatch timestamps. Prints per layer and per kernel median / minimum ms.
// Build first: dotnet build cli/Gmn.csproj -c Release. Then, from anywhere:
//   dotnet fsi scripts/interleave-kernels.fsx MODEL ROUNDS RUNS KERNELS VARIANT...
//   KERNELS: kernel names whose layers to list, '|'-separated substrings ("depthwise|max_pool"), or "*"
//   VARIANT: label=[kernel:file.comp][,kernel:file.comp][,!ENV=value]   ("label=" alone: the built-in kernels;
//            !ENV=value sets an environment variable while that variant's session is planned, for experiments)
//   ALPHA=0.5 picks the width; NOPROF=1 times whole runs without timestamps (the 'wall' row only).
// Example (empty.comp = `#version 450`, `#include "common.glsl"`, `void main() {}`: in place of every depthwise
// dispatch it measures the per-dispatch floor, as docs/design.md's "Depthwise, stem and max pool" section did):
//   dotnet fsi scripts/interleave-kernels.fsx shufflenet_v2 6 8 depthwise base= empty=depthwise_conv_packed:empty.comp
#r "../cli/bin/Release/net10.0/Silk.NET.Core.dll"
#r "../cli/bin/Release/net10.0/Silk.NET.Vulkan.dll"
#r "../cli/bin/Release/net10.0/GpuMobileNet.dll"
#r "../cli/bin/Release/net10.0/GpuMobileNet.Models.dll"
open System
open System.Diagnostics
open GpuMobileNet
open GpuMobileNet.Runtime
open GpuMobileNet.Vulkan
let args = fsi.CommandLineArgs |> Array.skip 1
if args.Length < 5 then failwith "usage: dotnet fsi scripts/interleave-kernels.fsx MODEL ROUNDS RUNS KERNELS VARIANT... (see the header)"
let model, rounds, runs, filt = args.[0], int args.[1], int args.[2], args.[3]
let alpha = match Environment.GetEnvironmentVariable "ALPHA" with null -> 1.0 | s -> float s
let compile (file: string) =
    let out = IO.Path.Combine(IO.Path.GetTempPath(), IO.Path.GetFileNameWithoutExtension(file) + $"-{Guid.NewGuid():N}.spv")
    let include = IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "shaders", "include")
    let p = Process.Start("glslc", $"--target-env=vulkan1.1 -O -I \"{include}\" -o \"{out}\" \"{file}\"")
    p.WaitForExit()
    if p.ExitCode <> 0 then failwithf "glslc %s" file
    let spirv = IO.File.ReadAllBytes out
    IO.File.Delete out
    spirv
let variants =
    args.[4..] |> Array.map (fun v ->
        let label, rest = match v.Split('=', 2) with [| l; r |] -> l, r | _ -> v, ""
        let items = rest.Split(',', StringSplitOptions.RemoveEmptyEntries)
        let envs = items |> Array.filter (fun i -> i.StartsWith "!") |> Array.map (fun i -> let a = i.Substring(1).Split('=') in a.[0], a.[1])
        let ov = items |> Array.filter (fun i -> not (i.StartsWith "!")) |> Array.map (fun kv -> let a = kv.Split(':', 2) in a.[0], compile a.[1]) |> dict
        label, (ov, envs))
let graph = GpuMobileNet.Models.ModelZoo.Create(model, alpha, 224, 1000, GpuMobileNet.Models.WeightInit.Random(1))
let devices = ResizeArray<VulkanDevice>()
let sessions =
    variants |> Array.map (fun (label, (ov, envs)) ->
        for (k, v) in envs do Environment.SetEnvironmentVariable(k, v)
        let ovr : Collections.Generic.IReadOnlyDictionary<string, byte[]> = if ov.Count = 0 then null else (Collections.Generic.Dictionary<string, byte[]>(ov) :> _)
        let d = VulkanDevice.Open(DeviceOptions(KernelOverrides = ovr))
        devices.Add d
        let s = InferenceSession.Create(graph, d, SessionOptions(Profiling = (Environment.GetEnvironmentVariable "NOPROF" <> "1")))
        for (k, _) in envs do Environment.SetEnvironmentVariable(k, null)
        label, s)
let input = Array.init ((snd sessions.[0]).InputLength) (fun i -> float32 (sin (float i * 0.37)))
let outs = sessions |> Array.map (fun (_, s) -> Array.zeroCreate<float32> s.OutputLength)
let n = sessions.Length
let layerT = Array.init n (fun _ -> Collections.Generic.Dictionary<string, ResizeArray<float>>())
let kernT = Array.init n (fun _ -> Collections.Generic.Dictionary<string, ResizeArray<float>>())
let totT = Array.init n (fun _ -> ResizeArray<float>())
let gpuT = Array.init n (fun _ -> ResizeArray<float>())
let wall = Array.init n (fun _ -> ResizeArray<float>())
for i in 0 .. n - 1 do for _ in 1 .. 3 do (snd sessions.[i]).Run(input, outs.[i]) |> ignore
let order = ResizeArray<string>()
for r in 0 .. rounds - 1 do
    for k in 0 .. n - 1 do
        let i = if r % 2 = 0 then k else n - 1 - k
        let s = snd sessions.[i]
        for _ in 1 .. runs do
            let sw = Stopwatch.StartNew()
            let timings = s.Run(input, outs.[i]).Layers
            wall.[i].Add sw.Elapsed.TotalMilliseconds
            let mutable tot = 0.0
            for t in timings do
                if filt = "*" || (filt.Split([|'|'|]) |> Array.exists (fun f -> t.Kernel.Contains f)) then
                    tot <- tot + t.Milliseconds
                    let key = t.Layer + " [" + t.Kernel + "]"
                    if not (layerT.[i].ContainsKey key) then (layerT.[i].[key] <- ResizeArray(); if i = 0 then order.Add key)
                    layerT.[i].[key].Add t.Milliseconds
            totT.[i].Add tot
            for g in timings |> Seq.groupBy (fun t -> t.Kernel) do
                let key = "K:" + fst g
                if not (kernT.[i].ContainsKey key) then kernT.[i].[key] <- ResizeArray()
                kernT.[i].[key].Add (snd g |> Seq.sumBy (fun t -> t.Milliseconds))
            gpuT.[i].Add (timings |> Seq.sumBy (fun t -> t.Milliseconds))
let med (xs: seq<float>) = let a = Seq.toArray xs |> Array.sort in if a.Length = 0 then nan else a.[a.Length / 2]
let mn (xs: seq<float>) = Seq.min xs
printf "%-40s" "layer"
for (l, _) in sessions do printf " %14s" l
printfn ""
for key in order do
    printf "%-40s" (if key.Length > 40 then key.Substring(0, 40) else key)
    for i in 0 .. n - 1 do
        match layerT.[i].TryGetValue key with
        | true, v -> printf " %6.3f/%6.3f" (med v) (mn v)
        | _ -> printf " %14s" "-"
    printfn ""
let row name (a: ResizeArray<float>[]) =
    printf "%-40s" name
    for i in 0 .. n - 1 do printf " %6.2f/%6.2f" (med a.[i]) (mn a.[i])
    printfn ""
for key in kernT.[0].Keys do
    printf "%-40s" key
    for i in 0 .. n - 1 do
        match kernT.[i].TryGetValue key with
        | true, v -> printf " %6.3f/%6.3f" (med v) (mn v)
        | _ -> printf " %14s" "-"
    printfn ""
row "filtered sum (median/min)" totT
row "GPU total" gpuT
row "wall" wall
let ref0 = outs.[0]
for i in 1 .. n - 1 do
    printfn "%s: max abs diff vs %s = %g" (fst sessions.[i]) (fst sessions.[0]) (Array.map2 (fun (a: float32) b -> abs (float a - float b)) ref0 outs.[i] |> Array.max)
for (_, s) in sessions do s.Dispose()
for d in devices do d.Dispose()
