# Sourced by the scripts: the database URL written by set-up (unless DATABASE_URL is set),
# a secret key kept in .local/ (unless SECRET_KEY is set), and the compiled translations.
if [ -z "${DATABASE_URL:-}" ] && [ -f .local/database.env ]; then
    set -a; . .local/database.env; set +a
fi
if [ -z "${SECRET_KEY:-}" ]; then
    if [ ! -f .local/secret_key ]; then
        (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' > .local/secret_key)
    fi
    SECRET_KEY=$(cat .local/secret_key)
fi
export DATABASE_URL SECRET_KEY
