# planpub in a container image holding only the binary (static, musl).
#
#   docker build -t planpub .
#   docker build -t planpub --build-arg PLANPUB_COMMIT="$(git log -1 --format='%h %cs')" .
#
# Use it on a site folder (files are written as your user):
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/site" planpub check
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/site" planpub build --base-url https://jyj.example.gov.cn/plan/
#   docker run --rm -p 1111:1111 -v "$PWD:/site" planpub serve --bind 0.0.0.0
# (inside a container, serve must bind 0.0.0.0 for -p to reach it).

FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY themes themes
COPY docs/content-format.md docs/content-format.md
# There is no .git in the image: the commit for --version comes from here.
ARG PLANPUB_COMMIT=""
RUN cargo build --release --locked && strip target/release/planpub

FROM scratch
COPY --from=build /src/target/release/planpub /planpub
WORKDIR /site
EXPOSE 1111
ENTRYPOINT ["/planpub"]
CMD ["--help"]
