# hogpipe: a Benthos distribution that runs PostHog plugins.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/hogpipe ./cmd/hogpipe

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app hogpipe
WORKDIR /app
COPY --from=build /out/hogpipe /usr/local/bin/hogpipe
COPY configs ./configs
COPY testdata/plugins ./testdata/plugins
USER hogpipe
EXPOSE 4195 8000
ENTRYPOINT ["hogpipe"]
CMD ["-c", "/app/configs/hello.yaml"]
