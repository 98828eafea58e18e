import type { ProviderInfo } from "../api/connections";
import { CopyText } from "./CopyText";

/** The redirect URIs to register in the provider's developer dashboard. */
export function RedirectUris({ provider }: { provider: ProviderInfo }) {
  const { deep_link_redirect_uri: deepLink, loopback_redirect_uri_example: loopback } = provider;
  if (deepLink === null && loopback === null) {
    return null;
  }
  return (
    <div className="redirect-uris" data-testid="redirect-uris">
      <p className="muted">
        Redirect URIs to register with {provider.display_name} (add both, or the one you use):
      </p>
      <dl className="redirect-uris__list">
        {loopback === null ? null : (
          <div>
            <dt>Local browser redirect</dt>
            <dd>
              <CopyText value={loopback} label="the local browser redirect URI" />
            </dd>
          </div>
        )}
        {deepLink === null ? null : (
          <div>
            <dt>syncer:// link</dt>
            <dd>
              <CopyText value={deepLink} label="the syncer:// redirect URI" />
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
