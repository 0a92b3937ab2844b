# A GPU silo (OLLM_ROLE=silo): the .NET runtime on NVIDIA's CUDA 12 runtime, llama.cpp's CUDA 12
# build through LLamaSharp's backend package (the LlamaBackend build switch), non-root.
# Build from the repository root: docker build -f deploy/silo.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0.100-noble AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/OrleansLlm.Server -c Release -o /app --no-self-contained -p:LlamaBackend=Cuda12

FROM mcr.microsoft.com/dotnet/aspnet:10.0.0-noble AS dotnet

FROM nvidia/cuda:12.8.1-runtime-ubuntu24.04
# The ASP.NET runtime from Microsoft's image, onto NVIDIA's (no package feed needed at build time).
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
    && apt-get update && apt-get install -y --no-install-recommends libicu74 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV OLLM_ROLE=silo \
    OLLM_RUNNER=llama \
    OLLAMA_HOST=0.0.0.0:8080 \
    OLLM_MODELS=/models \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# HTTP probes; the silo-to-silo and gateway ports are set per silo app (OLLM_SILO_PORT, OLLM_GATEWAY_PORT).
EXPOSE 8080 11111 30000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
USER ubuntu
ENTRYPOINT ["dotnet", "ollm-server.dll"]
