# The HTTP front-end (OLLM_ROLE=frontend): an Orleans client on the ASP.NET runtime, no SDK, non-root.
# Build from the repository root: docker build -f deploy/frontend.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0.100-noble AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/OrleansLlm.Server -c Release -o /app --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:10.0.0-noble-chiseled
WORKDIR /app
COPY --from=build /app .
ENV OLLM_ROLE=frontend \
    OLLAMA_HOST=0.0.0.0:8080 \
    OLLM_MODELS=/models
EXPOSE 8080
# Chiseled images have no shell or curl: Container Apps' probes (/healthz live, /readyz ready) are the health check.
USER $APP_UID
ENTRYPOINT ["dotnet", "ollm-server.dll"]
