# GpuMobileNet's inference server in a container: the KServe v2 (Open Inference Protocol) API alone, REST on 8080 and
# gRPC (HTTP/2 cleartext) on 8081, models from /mnt/models (where KServe's storage initializer puts a storageUri).
#   docker build -t gpumobilenet .            (or: podman build -t gpumobilenet .)
#   docker run --rm -p 8080:8080 -p 8081:8081 -v "$PWD/my-models:/mnt/models:ro" gpumobilenet
#   curl 127.0.0.1:8080/v2/health/ready
# Without a GPU it runs on Mesa's lavapipe (Vulkan on the CPU). On NVIDIA GPUs: run with the NVIDIA container toolkit
# (docker run --gpus all, or Kubernetes' nvidia.com/gpu with the device plugin); the toolkit mounts the driver's
# Vulkan ICD (nvidia_icd.json and libGLX_nvidia) only when NVIDIA_DRIVER_CAPABILITIES includes "graphics", as set
# below, and the server then picks the discrete GPU over lavapipe (GMN_DEVICE pins one). See deploy/README.md.

# --- build: the .NET SDK, plus glslc and spirv-cross, which compile the shaders at build time ---------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends glslc spirv-cross \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish viewer -c Release -o /app

# --- runtime: ASP.NET Core, the Vulkan loader and lavapipe (mesa-vulkan-drivers); nothing else -------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvulkan1 mesa-vulkan-drivers \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    GMN_GRPC_URLS=http://0.0.0.0:8081 \
    GMN_MODELS_DIR=/mnt/models \
    GMN_DATA_DIR=/app \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
EXPOSE 8080 8081
USER app
ENTRYPOINT ["dotnet", "/app/GpuMobileNet.Viewer.dll", "--api-only"]
