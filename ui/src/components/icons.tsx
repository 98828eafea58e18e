import type { ReactNode } from "react";
import type { Route } from "../routes";

type IconProps = { size?: number | undefined };

// Drawn on a 24px grid with a 1.75 stroke in currentColor, so they follow the theme and the
// active/hover colours of whatever holds them. Decorative: the text beside them names things.
function Icon({ size = 18, children }: IconProps & { children: ReactNode }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.75}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export function ConnectionsIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M9 7V3M15 7V3" />
      <path d="M6 7h12v4a6 6 0 0 1-12 0V7Z" />
      <path d="M12 17v4" />
    </Icon>
  );
}

export function PlaylistsIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <circle cx="4.5" cy="12" r="1.75" />
      <path d="M6.25 12H9c2.5 0 2.5-6 5-6M9 12h5M9 12c2.5 0 2.5 6 5 6" />
      <path d="M17 6h3.5M17 12h3.5M17 18h3.5" />
    </Icon>
  );
}

export function HistoryIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M3.5 12a8.5 8.5 0 1 0 2.5-6" />
      <path d="M3 3.5V7h3.5" />
      <path d="M12 7.5V12l3 2" />
    </Icon>
  );
}

export function SettingsIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" />
      <circle cx="15" cy="6" r="2" />
      <circle cx="9" cy="12" r="2" />
      <circle cx="17" cy="18" r="2" />
    </Icon>
  );
}

export function LockIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </Icon>
  );
}

export function WarningIcon(props: IconProps) {
  return (
    <Icon {...props}>
      <path d="M12 4 2.5 20h19L12 4Z" />
      <path d="M12 10v4M12 17.2v.1" />
    </Icon>
  );
}

const ROUTE_ICONS: Record<Route, (props: IconProps) => ReactNode> = {
  connections: ConnectionsIcon,
  playlists: PlaylistsIcon,
  history: HistoryIcon,
  settings: SettingsIcon,
};

export function RouteIcon({ route, size }: IconProps & { route: Route }) {
  const Component = ROUTE_ICONS[route];
  return <Component size={size} />;
}

/** The app's mark, the same drawing as icons/app-icon.svg, for the sidebar header. */
export function AppMark({ size = 28 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="16 16 480 480" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id="app-mark-bg" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#6C78F0" />
          <stop offset="1" stopColor="#4338CA" />
        </linearGradient>
      </defs>
      <rect x="16" y="16" width="480" height="480" rx="108" fill="url(#app-mark-bg)" />
      <g transform="translate(11 0)">
        <g fill="none" stroke="#fff" strokeWidth="40" strokeLinecap="round">
          <path d="M128 256H196C246 256 250 150 290 150" />
          <path d="M196 256H290" />
          <path d="M196 256C246 256 250 362 290 362" />
        </g>
        <g fill="#fff">
          <rect x="328" y="122" width="84" height="56" rx="28" />
          <rect x="328" y="228" width="84" height="56" rx="28" />
          <rect x="328" y="334" width="84" height="56" rx="28" />
          <circle cx="128" cy="256" r="50" />
        </g>
      </g>
    </svg>
  );
}
