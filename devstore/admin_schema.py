"""The schema of devstore's Admin GraphQL API: the subset of Shopify's that Sightline uses (the
shop, the app installation's metafields, orders, the web pixel), in Shopify's names and types."""

from __future__ import annotations

from graphql import build_schema

SCHEMA = build_schema(
    """
    type Query {
      shop: Shop!
      currentAppInstallation: AppInstallation!
      orders(first: Int, after: String, query: String, sortKey: OrderSortKeys): OrderConnection!
      order(id: ID!): Order
      webPixel(id: ID): WebPixel
    }
    type Mutation {
      metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
      webPixelCreate(webPixel: WebPixelInput!): WebPixelCreatePayload
      webPixelUpdate(id: ID!, webPixel: WebPixelInput!): WebPixelUpdatePayload
    }
    scalar JSON
    type WebPixel { id: ID! settings: JSON! }
    input WebPixelInput { settings: JSON! }
    type ErrorsWebPixelUserError { field: [String!] message: String! code: String }
    type WebPixelCreatePayload { webPixel: WebPixel userErrors: [ErrorsWebPixelUserError!]! }
    type WebPixelUpdatePayload { webPixel: WebPixel userErrors: [ErrorsWebPixelUserError!]! }
    type Shop { id: ID! name: String! myshopifyDomain: String! ianaTimezone: String! }
    type AppInstallation {
      id: ID!
      metafield(namespace: String, key: String!): Metafield
      metafields(namespace: String, first: Int): MetafieldConnection!
    }
    type Metafield {
      id: ID!
      namespace: String!
      key: String!
      type: String!
      value: String!
      updatedAt: String!
    }
    type MetafieldConnection { nodes: [Metafield!]! }
    enum OrderSortKeys { CREATED_AT PROCESSED_AT ID }
    type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }
    type OrderEdge { cursor: String! node: Order! }
    type PageInfo { hasNextPage: Boolean! endCursor: String }
    type Order {
      id: ID!
      legacyResourceId: String!
      name: String!
      createdAt: String!
      processedAt: String!
      currencyCode: String!
      totalPriceSet: MoneyBag!
      displayFinancialStatus: String
      test: Boolean!
      email: String
      phone: String
      clientIp: String
      customAttributes: [Attribute!]!
      customer: Customer
      billingAddress: MailingAddress
      shippingAddress: MailingAddress
      lineItems(first: Int): LineItemConnection!
      customerJourneySummary: CustomerJourneySummary
    }
    type MoneyBag { shopMoney: MoneyV2! }
    type MoneyV2 { amount: String! currencyCode: String! }
    type Attribute { key: String! value: String }
    type Customer { id: ID! email: String phone: String firstName: String lastName: String }
    type MailingAddress {
      firstName: String
      lastName: String
      address1: String
      city: String
      zip: String
      province: String
      provinceCode: String
      country: String
      countryCodeV2: String
      phone: String
    }
    type LineItemConnection { nodes: [LineItem!]! }
    type LineItem {
      title: String
      sku: String
      quantity: Int!
      variant: ProductVariant
      product: Product
      originalUnitPriceSet: MoneyBag!
    }
    type ProductVariant { id: ID! }
    type Product { id: ID! }
    type CustomerJourneySummary { firstVisit: CustomerVisit }
    type CustomerVisit { landingPage: String referrerUrl: String }
    input MetafieldsSetInput {
      ownerId: ID!
      namespace: String
      key: String!
      type: String
      value: String!
      compareDigest: String
    }
    type MetafieldsSetUserError { field: [String!] message: String! code: String }
    type MetafieldsSetPayload {
      metafields: [Metafield!]
      userErrors: [MetafieldsSetUserError!]!
    }
    """
)
