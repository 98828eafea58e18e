// An example of the idea rather than the user's data: one base feeding three children.
const EXAMPLE_CHILDREN = [
  "Indie rock, 2015–2020, no explicit",
  "Calm acoustic, under 4 minutes",
  "Upbeat, 120 BPM and up",
] as const;

export function BaseChildrenDiagram() {
  return (
    <figure className="diagram">
      <div className="diagram__row">
        <div className="diagram__node diagram__node--base">
          <span className="diagram__kind">Base</span>
          <span>Liked Songs</span>
        </div>
        <svg
          className="diagram__links"
          viewBox="0 0 48 120"
          preserveAspectRatio="none"
          aria-hidden="true"
          focusable="false"
        >
          <path d="M0 60 C24 60 24 20 48 20 M0 60 H48 M0 60 C24 60 24 100 48 100" />
        </svg>
        <ul className="diagram__children">
          {EXAMPLE_CHILDREN.map((child) => (
            <li key={child} className="diagram__node">
              <span className="diagram__kind">Child</span>
              <span>{child}</span>
            </li>
          ))}
        </ul>
      </div>
      <figcaption className="visually-hidden">
        Example: the base playlist Liked Songs feeds three child playlists:{" "}
        {EXAMPLE_CHILDREN.join("; ")}.
      </figcaption>
    </figure>
  );
}
