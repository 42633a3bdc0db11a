/**
 * The app's own installation on the shop: the owner of app-data metafields (`app.metafields` in the
 * theme extension's Liquid). Needs no access scope. Sent by app/shopify/metafields.server.ts.
 */
export const CURRENT_APP_INSTALLATION = `#graphql
  query CurrentAppInstallation {
    currentAppInstallation {
      id
    }
  }
`;
