# ctiload's container image, the ordinary multi-stage build: compile with the Go image, run from
# scratch (a static binary, nothing else: no shell, no package manager, no CVE surface).
#
#   docker build -t ctiload:dev .          (or: podman build -t ctiload:dev .)
#
# Where no base image can be pulled (an air-gapped builder), `make image` builds the same image
# from Dockerfile.local with a binary compiled by the local Go toolchain: see docs/cluster.md.
ARG GO_VERSION=1.26
FROM docker.io/library/golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /image/usr/local/bin/ctiload ./cmd/ctiload \
 && cp -r scripts /image/scripts \
 && mkdir -p /image/tmp /results \
 && chmod 1777 /image/tmp

FROM scratch
COPY --from=build /image/ /
COPY --from=build --chown=65532:65532 /results/ /results/
ENV PATH=/usr/local/bin TMPDIR=/tmp
# A non-root user (the one distroless calls "nonroot"); the example scenarios are under /scripts.
USER 65532:65532
WORKDIR /results
ENTRYPOINT ["ctiload"]
CMD ["help"]
