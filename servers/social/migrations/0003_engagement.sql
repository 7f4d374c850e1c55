-- Engagement snapshots per post (views, likes, comments, shares at an age), as a platform's
-- analytics would report them; the sandbox simulates them deterministically.

CREATE TABLE IF NOT EXISTS social_engagement (
    tenant_id       text NOT NULL,
    post_id         text NOT NULL,
    agent_id        text NOT NULL,
    age_hours       integer NOT NULL CHECK (age_hours > 0),
    views           integer NOT NULL CHECK (views >= 0),
    likes           integer NOT NULL CHECK (likes >= 0),
    comments        integer NOT NULL CHECK (comments >= 0),
    shares          integer NOT NULL CHECK (shares >= 0),
    engagement_rate double precision NOT NULL,
    captured_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, post_id, age_hours)
);
